-- Appends one message to a room, atomically. See crates/bus/src/log.rs (Log::append).
-- KEYS: 1 seq counter, 2 window zset, 3 cids hash, 4 outbox stream, 5 room's site,
--       6 room's epoch ("<epoch>:<generation>"), 7 the shard's generation,
--       8 (on a cluster) the shard's run id record (all under one hash tag).
-- ARGV: 1 cid key (sender-scoped), 2 frame head, 3 frame tail, 4 window size,
--       5 cid memory (s), 6 max outbox length (0: unbounded), 7 room channel,
--       8 site channel ('' : the caller publishes there), 9 site id,
--       10 the publish command (PUBLISH, or SPUBLISH on a cluster).
--
-- A room is seeded while its epoch was started under the shard's current generation: a
-- Redis that restarted (and so may have lost the last acked appends) has a new
-- generation, and its rooms wait for a new epoch from SQL before numbering goes on. A
-- cluster connection follows a failover without a new connection to fence, so there the
-- script fences itself first.
if KEYS[8] then
  fence(KEYS[8], KEYS[7])
end
local current = redis.call('GET', KEYS[6])
if not current then
  return {'not_seeded'}
end
local epoch, started_in = string.match(current, '^(%d+):(%d+)$')
if started_in ~= (redis.call('GET', KEYS[7]) or '0') then
  return {'not_seeded'}
end
local known = redis.call('HGET', KEYS[3], ARGV[1])
if known then
  return {'duplicate', known .. ':' .. epoch}
end
if redis.call('GET', KEYS[5]) ~= ARGV[9] then
  return {'wrong_site'}
end
local max_backlog = tonumber(ARGV[6])
if max_backlog > 0 and redis.call('XLEN', KEYS[4]) >= max_backlog then
  return {'backlog_full'}
end
local seq = redis.call('INCR', KEYS[1])
local now = redis.call('TIME')
local ts = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local frame = ARGV[2] .. seq .. ',"epoch":' .. epoch .. ',"ts":' .. ts .. ARGV[3]
redis.call('ZADD', KEYS[2], seq, frame)
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('HSET', KEYS[3], ARGV[1], seq .. ':' .. ts)
redis.call('EXPIRE', KEYS[3], ARGV[5])
redis.call('XADD', KEYS[4], '*', 'm', frame)
if ARGV[7] ~= '' then
  redis.call(ARGV[10], ARGV[7], frame)
end
if ARGV[8] ~= '' then
  redis.call(ARGV[10], ARGV[8], frame)
end
if ARGV[8] == '' then
  -- The caller publishes the frame to the site's channel.
  return {'stored', seq .. ':' .. ts .. ':' .. epoch, frame}
end
return {'stored', seq .. ':' .. ts .. ':' .. epoch}
