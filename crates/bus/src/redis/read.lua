-- Reads a room's numbering, and its replay window from a seq on, in one step. See
-- crates/bus/src/redis/log.rs (Log::recent, Log::last_seq).
-- KEYS: 1 seq counter, 2 room's epoch, 3 the shard's generation, 4 window zset,
--       5 (on a cluster) the shard's run id record (all under one hash tag).
-- ARGV: 1 the lowest seq of the window wanted ('': none).
--
-- On a cluster the read fences first, as append.lua does: on a promoted replica the
-- room then reads as not seeded, not as current in the epoch the failover voided.
if KEYS[5] then
  fence(KEYS[5], KEYS[3])
end
local frames = {}
if ARGV[1] ~= '' then
  frames = redis.call('ZRANGEBYSCORE', KEYS[4], ARGV[1], '+inf')
end
return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3]), frames}
