-- Presence under one key: members scored by expiry (ms). Removes lapsed members first.
-- KEYS: 1 the presence zset. ARGV: 1 now (ms), 2 op (join|leave|count), 3 member, 4 ttl (ms).
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if ARGV[2] == 'join' then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[4]), ARGV[3])
  -- The key lives as long as its longest-lived member; never shorten it.
  if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
  end
elseif ARGV[2] == 'leave' then
  redis.call('ZREM', KEYS[1], ARGV[3])
end
return redis.call('ZCARD', KEYS[1])
