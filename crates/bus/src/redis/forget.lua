-- Forgets a room deleted from SQL. See crates/bus/src/log.rs (Log::forget).
-- KEYS: 1 seq counter, 2 room's site, 3 room's epoch, 4 window zset, 5 cids hash,
--       6 the room's forgotten mark (all under one hash tag).
-- ARGV: 1 the highest seq SQL stored for the room, 2 how long the mark lasts (ms).
--
-- Refused (0) while the counter is past what SQL stored: a message numbered since may
-- still wait in the outbox, and the room is not idle after all.
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
if held > tonumber(ARGV[1]) then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
-- Until SQL has deleted the room too, a seed from SQL would bring it back to take
-- messages that go with the delete: seed.lua refuses while the mark lasts.
redis.call('SET', KEYS[6], '1', 'PX', ARGV[2])
return 1
