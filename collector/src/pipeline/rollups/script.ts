/**
 * The funnel rollups' one Lua script, run as a command of the batch's
 * MULTI/EXEC. Events after the landing page view do not carry the traffic
 * source: it is the session's, kept in Redis (written by the landing page view,
 * first one wins) and read back per event. Commands queued in a MULTI cannot
 * read each other's results, a script can, and it runs inside the
 * transaction, so the rollups still commit with the offset or not at all.
 *
 * ARGV[1] = seconds a session's source is kept; then eight per funnel event, in record order:
 *   session-source key, `=<source>` when the identity stage stamped the record's session source (then
 *   nothing is looked up), else the landing source ('' unless a page view), events hash key,
 *   segment visitors key without its source, step visitors key, field without its source,
 *   visitor, expiry (epoch seconds: the minute's start plus the retention)
 *
 * Keys go as arguments rather than KEYS because the segment's key is only
 * known here: fine on the single Redis this store is, not on a cluster.
 */
export const ROLLUP_SCRIPT = `
local sourceTtl = ARGV[1]
local expiring = {}
for i = 2, #ARGV, 8 do
  local sessionKey, landing, eventsKey, segmentPrefix = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local stepKey, fieldPrefix, visitor, expireAt = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
  local source
  if string.sub(landing, 1, 1) == '=' then
    source = string.sub(landing, 2)
  else
    if landing ~= '' then
      redis.call('SET', sessionKey, landing, 'NX', 'EX', sourceTtl)
    end
    source = redis.call('GET', sessionKey)
    if not source then source = 'unknown' end
  end
  local segmentKey = segmentPrefix .. source
  redis.call('HINCRBY', eventsKey, fieldPrefix .. source, 1)
  redis.call('PFADD', segmentKey, visitor)
  redis.call('PFADD', stepKey, visitor)
  expiring[eventsKey] = expireAt
  expiring[segmentKey] = expireAt
  expiring[stepKey] = expireAt
end
for key, at in pairs(expiring) do
  redis.call('EXPIREAT', key, at)
end
return 0
`;
