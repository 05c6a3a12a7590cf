/**
 * The batch's Lua script (guarded-batch.ts runs it; ARGV is one JSON array):
 *
 * 1. the guards: `[count, (key, field, present, value) ...]`; one that no
 *    longer holds returns `{0, index}`, nothing written;
 * 2. the checks (batch-checks.ts): `[count, (op, key, a, b, c) ...]` with op
 *    `T` a key's type (`hll`: a string that is a valid HyperLogLog, as PFADD
 *    checks, a sparse one covering exactly its 16,384 registers), `I` an
 *    integer field (field '': the string key's own value) with room for `b`
 *    up and `c` down within ±2^53, `F` a
 *    finite number field staying finite after adding `b` in size, `A` every
 *    field of a hash an integer with room for `a` more; one that fails returns
 *    `{2, index, reason}`, nothing written;
 * 3. the commands: `[argc, name, args...]`, a planner script `[argc, '#k',
 *    args...]` as its function; with `redis.call`, so an error ends the script
 *    (before the offset, the last command); `{1}` when all ran.
 *
 * The planner scripts are prepended as the table SUBSCRIPTS (guarded-batch.ts).
 * KEYS declares every key the batch touches; a command whose key (every key,
 * for DEL and UNLINK) is not among them ends the script with an error before
 * anything is written, so no command reaches a key its caller did not
 * declare. (A planner script's keys are declared by its caller from the
 * script's own declaration, planner-scripts.ts.)
 */
export const RUNNER = `
local ARGV = cjson.decode(ARGV[1])
local declared = {}
for _, key in ipairs(KEYS) do declared[key] = true end
local i = 2
for g = 1, tonumber(ARGV[1]) do
  local key, field, present, value = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  i = i + 4
  local now
  if field == '' then now = redis.call('GET', key) else now = redis.call('HGET', key, field) end
  if present == '1' then
    if now ~= value then return {0, g} end
  elseif now then
    return {0, g}
  end
end
local MAX = 9007199254740991
local function integer(s)
  if s == '0' then return 0 end
  if #s > 17 or not string.match(s, '^%-?[1-9]%d*$') then return nil end
  local v = tonumber(s)
  if math.abs(v) > MAX then return nil end
  return v
end
local function float(s)
  if #s == 0 or #s > 5120 or string.find(s, '^%s') or string.find(s, '%s$') then return nil end
  local v = tonumber(s)
  if v == nil or v ~= v or v == math.huge or v == -math.huge then return nil end
  return v
end
local function hyperloglog(key)
  local length = redis.call('STRLEN', key)
  if length < 16 then return false end
  local head = redis.call('GETRANGE', key, 0, 4)
  if string.sub(head, 1, 4) ~= 'HYLL' then return false end
  local encoding = string.byte(head, 5)
  if encoding == 0 then return length == 12304 end
  if encoding ~= 1 then return false end
  local body = redis.call('GETRANGE', key, 16, -1)
  local registers, p, n = 0, 1, #body
  while p <= n do
    local b = string.byte(body, p)
    if b < 64 then registers, p = registers + b + 1, p + 1
    elseif b < 128 then
      if p == n then return false end
      registers, p = registers + (b - 64) * 256 + string.byte(body, p + 1) + 1, p + 2
    else registers, p = registers + (b % 4) + 1, p + 1 end
    if registers > 16384 then return false end
  end
  return registers == 16384
end
local checks = tonumber(ARGV[i])
i = i + 1
for c = 1, checks do
  local op, key, a, b, d = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  i = i + 5
  if op == 'T' then
    local t = redis.call('TYPE', key)['ok']
    if t ~= 'none' then
      if a == 'hll' then
        if t ~= 'string' or not hyperloglog(key) then return {2, c, key .. ' is a ' .. t .. ' that is no HyperLogLog'} end
      elseif t ~= a then
        return {2, c, key .. ' is a ' .. t .. ', not a ' .. a}
      end
    end
  elseif op == 'I' then
    local s
    if a == '' then s = redis.call('GET', key) else s = redis.call('HGET', key, a) end
    if s then
      local v = integer(s)
      local what = key
      if a ~= '' then what = key .. ' field ' .. a end
      if v == nil then return {2, c, what .. ' is not an integer'} end
      if v + tonumber(b) > MAX or v - tonumber(d) < -MAX then return {2, c, what .. ' would leave the range of exact integers'} end
    end
  elseif op == 'F' then
    local s = redis.call('HGET', key, a)
    if s then
      local v = float(s)
      if v == nil then return {2, c, key .. ' field ' .. a .. ' is not a finite number'} end
      local sum = math.abs(v) + tonumber(b)
      if sum == math.huge then return {2, c, key .. ' field ' .. a .. ' would become infinite'} end
    end
  elseif op == 'A' then
    local values = redis.call('HVALS', key)
    for _, s in ipairs(values) do
      local v = integer(s)
      if v == nil then return {2, c, key .. ' holds a field that is not an integer'} end
      if v + tonumber(a) > MAX then return {2, c, key .. ' holds a field that would leave the range of exact integers'} end
    end
  else
    return redis.error_reply('unknown check ' .. tostring(op))
  end
end
local total = #ARGV
local first = i
while i <= total do
  local n = tonumber(ARGV[i])
  local name = ARGV[i + 1]
  if string.sub(name, 1, 1) ~= '#' then
    local upper = string.upper(name)
    local last = i + 2
    if upper == 'DEL' or upper == 'UNLINK' then last = i + n end
    for k = i + 2, last do
      if not declared[ARGV[k]] then return redis.error_reply('undeclared key in ' .. name .. ': ' .. tostring(ARGV[k])) end
    end
  end
  i = i + 1 + n
end
i = first
while i <= total do
  local n = tonumber(ARGV[i])
  local name = ARGV[i + 1]
  if string.sub(name, 1, 1) == '#' then
    local args = {}
    for k = 1, n - 1 do args[k] = ARGV[i + 1 + k] end
    SUBSCRIPTS[tonumber(string.sub(name, 2))](args)
  else
    redis.call(name, unpack(ARGV, i + 2, i + n))
  end
  i = i + 1 + n
end
return {1}
`;
