-- Notices a Redis restart or failover, once per shard: the first script to run on a Redis
-- whose run id is not the one recorded starts a new generation, so every room of the
-- shard waits for a new epoch before numbering goes on (see append.lua). Prefixed to the
-- scripts that call it; `fence_connection.lua` runs it on every new connection.
-- run_id_key: the run id recorded; generation_key: the shard's generation (one hash tag).
local function fence(run_id_key, generation_key)
  local run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
  if redis.call('GET', run_id_key) ~= run_id then
    redis.call('SET', run_id_key, run_id)
    return redis.call('INCR', generation_key)
  end
  return tonumber(redis.call('GET', generation_key) or '0')
end
