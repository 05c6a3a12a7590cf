/**
 * The profile's one Lua script, run as a function inside the batch's script
 * (store/guarded-batch.ts). Two things a plain command cannot do, because
 * they depend on what Redis already holds:
 *
 * - `updatedAt` in the profile's hash only moves forward (the latest event
 *   time wins, whatever the order of batches);
 * - the session count: a session id new to the profile's sorted set of
 *   sessions adds one to `sessions` in the hash. The set keeps only the most
 *   recently active sessions (trimmed after this script), so the count stays
 *   exact without the set growing with every session the profile ever had; a
 *   session that was trimmed away and then gets another event counts again,
 *   which takes more than `profileSessionsKept` newer sessions in between.
 *
 * ARGV, per profile: hash key, sessions key, latest event time, n, then n
 * pairs of session id and its latest event time (epoch ms). `ZADD GT` adds a
 * new member (and answers 1) or raises an existing one's score (answers 0).
 * Keys are passed as arguments (numkeys 0): one Redis, no cluster.
 */
export const PROFILE_SCRIPT = `
local i = 1
while i <= #ARGV do
  local hash, sessions, at, n = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  i = i + 4
  local current = tonumber(redis.call('HGET', hash, 'updatedAt'))
  if current == nil or tonumber(at) > current then redis.call('HSET', hash, 'updatedAt', at) end
  for k = 1, n do
    if redis.call('ZADD', sessions, 'GT', ARGV[i + 1], ARGV[i]) == 1 then redis.call('HINCRBY', hash, 'sessions', 1) end
    i = i + 2
  end
end
return 0
`;

/** The fields of the profile's hash. */
export const PROFILE_FIELDS = Object.freeze({ updatedAt: 'updatedAt', sessions: 'sessions', userId: 'userId' });
