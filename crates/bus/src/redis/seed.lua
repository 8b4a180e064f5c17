-- Starts a room's epoch unless one is current. See crates/bus/src/log.rs (Log::seed).
-- KEYS: 1 seq counter, 2 room's site, 3 room's epoch, 4 the shard's generation,
--       5 cids hash, 6 window zset, 7 the room's forgotten mark, 8 (on a cluster) the
--       shard's run id record (all under one hash tag).
-- ARGV: 1 site id, 2 SQL's highest seq, 3 cid memory (s), then pairs of
--       (cid key, "seq:ts") of the latest stored messages.
--
-- The counter goes on from the higher of SQL's highest seq and what Redis still holds
-- (an AOF restore keeps entries SQL has not got yet), so no seq a stored or restored
-- message holds is handed out again; seqs above that were acked and lost, and the new
-- epoch tells every client that held them to drop them.
if KEYS[8] then
  fence(KEYS[8], KEYS[4])
end
-- Forgotten just now (its SQL row is being deleted): not seeded again.
if redis.call('EXISTS', KEYS[7]) == 1 then
  return 'forgotten'
end
redis.call('SET', KEYS[2], ARGV[1])
local generation = redis.call('GET', KEYS[4]) or '0'
local current = redis.call('GET', KEYS[3])
local previous
if current then
  local epoch, started_in = string.match(current, '^(%d+):(%d+)$')
  if started_in == generation then
    return epoch
  end
  previous = tonumber(epoch)
end
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
local sql = tonumber(ARGV[2])
if sql > held then
  -- The window stops short of SQL's newest seqs: it could not replay across them.
  redis.call('DEL', KEYS[6])
  held = sql
end
redis.call('SET', KEYS[1], held)
local now = redis.call('TIME')
local epoch = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if previous and epoch <= previous then
  epoch = previous + 1
end
redis.call('SET', KEYS[3], epoch .. ':' .. generation)
for i = 4, #ARGV, 2 do
  redis.call('HSETNX', KEYS[5], ARGV[i], ARGV[i + 1])
end
if #ARGV >= 4 then
  redis.call('EXPIRE', KEYS[5], ARGV[3])
end
return tostring(epoch)
