/**
 * The experiment counters' one Lua script, run as a command of the batch's
 * MULTI/EXEC. Whether an exposure adds a unit, and to which variant a
 * conversion belongs, depends on what Redis already holds (the unit's first
 * exposure may be in an earlier batch); commands queued in a MULTI cannot
 * depend on each other's results, a script can, and it runs inside the
 * transaction, so the counters still commit with the offset or not at all.
 *
 * ARGV, five per counted event, in record order:
 *   kind ('exposure' | 'conversion'), counts key, units key, unit, variant ('' for a conversion)
 *
 * The keys are passed as arguments rather than KEYS: fine on the single Redis
 * this store is (the batch's MULTI spans arbitrary keys anyway), not on a cluster.
 */
export const EXPERIMENT_SCRIPT = `
for i = 1, #ARGV, 5 do
  local kind, counts, units, unit, variant = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if kind == 'exposure' then
    redis.call('HINCRBY', counts, 'exposures:' .. variant, 1)
    if redis.call('HSETNX', units, unit, '0' .. variant) == 1 then
      redis.call('HINCRBY', counts, 'units:' .. variant, 1)
    end
  else
    local state = redis.call('HGET', units, unit)
    if state and string.sub(state, 1, 1) == '0' then
      local first = string.sub(state, 2)
      redis.call('HSET', units, unit, '1' .. first)
      redis.call('HINCRBY', counts, 'conversions:' .. first, 1)
    end
  end
end
return 0
`;
