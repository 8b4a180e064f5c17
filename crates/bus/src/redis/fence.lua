-- Notices a Redis restart, once per shard: the first connection to a Redis whose run id
-- is not the one recorded starts a new generation, so every room of the shard waits for
-- a new epoch before numbering goes on (see append.lua). Run on every new connection
-- before it is used.
-- KEYS: 1 the run id recorded, 2 the shard's generation (one hash tag).
-- ARGV: 1 this Redis's run id.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1])
  return redis.call('INCR', KEYS[2])
end
return tonumber(redis.call('GET', KEYS[2]) or '0')
