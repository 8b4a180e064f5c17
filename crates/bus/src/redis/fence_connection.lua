-- Run on every new connection before it is used: fences one shard.
-- KEYS: 1 the run id recorded, 2 the shard's generation (one hash tag).
return fence(KEYS[1], KEYS[2])
