/**
 * A stage's whole batch as ONE Lua script call: guards, then every state
 * change, then (as the planner's last command) the partition's next offset.
 *
 * Why not WATCH + MULTI/EXEC: a batch watched its offset and one `seen:` key
 * per event, and Redis 7.0 checks each new watched key against the client's
 * list of those already watched, so a batch of 2,000 ids cost milliseconds of
 * Redis time in WATCH alone, the EXEC as much again to unwatch them, and a
 * round trip per read. WATCH also belongs to a connection, which kept a stage
 * to one batch at a time.
 *
 * A guard is what WATCH gave: the value a key (or a hash field) had when the
 * batch was planned, absent included. The script compares every guard first
 * and writes nothing if one differs; the caller then reads and plans again.
 * A script runs atomically, so a guard that holds holds for all the writes
 * after it: another writer (a rebalance's new owner, a zombie, the ticker, an
 * erasure) is either wholly before the script, and then changed a guarded
 * value, or wholly after it. The values guarded only ever move forward
 * (offsets grow, `seen:` keys appear, erasure marks are set, versions count
 * up), so equal means untouched for what the plan read.
 *
 * The guards and commands travel as ONE argument, a JSON array of strings the
 * script decodes with Redis' cjson, rather than as the tens of thousands of
 * arguments of a large batch, each of which node-redis measures and appends
 * to the command's string. In the pipeline benchmark the difference was
 * within the spread between runs; one argument is what there is to encode.
 *
 * Commands run with `redis.pcall` and go on after an error, as the commands of
 * a MULTI did, so the offset still covers the batch; the caller is told of the
 * errors. A planner's own Lua script (`['EVAL', script, '0', ...args]`) runs as
 * a function inside this one, with the same arguments.
 */
import { createHash } from 'node:crypto';
import type { RedisCommand } from '../pipeline/commands.js';
import type { StoreClient } from './client.js';

export interface Guard {
  key: string;
  /** A hash field; absent for a string key. */
  field?: string;
  /** The value read when the batch was planned; null = the key or field did not exist. */
  expected: string | null;
}

export type GuardedOutcome = { applied: true } | { applied: false };

/** Lua's `unpack` stops at its C stack (8,000 values); planners keep their commands well below. */
export const MAX_COMMAND_ARGS = 7_000;

const RUNNER = `
local ARGV = cjson.decode(ARGV[1])
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
local errors, first = 0, ''
local total = #ARGV
while i <= total do
  local n = tonumber(ARGV[i])
  local name = ARGV[i + 1]
  local reply
  if string.sub(name, 1, 1) == '#' then
    local args = {}
    for k = 1, n - 1 do args[k] = ARGV[i + 1 + k] end
    local ok, result = pcall(SUBSCRIPTS[tonumber(string.sub(name, 2))], args)
    if not ok then reply = { err = tostring(result.err or result) } end
  else
    reply = redis.pcall(name, unpack(ARGV, i + 2, i + n))
  end
  if type(reply) == 'table' and reply.err then
    errors = errors + 1
    if first == '' then first = reply.err end
  end
  i = i + 1 + n
end
return {1, errors, first}
`;

interface Program {
  script: string;
  sha: string;
  subscripts: Map<string, number>;
}

const programs = new Map<string, Program>();

/** The runner with the planners' scripts as its functions; one program per set of scripts, so Redis caches a few. */
function programFor(subscriptTexts: readonly string[]): Program {
  const id = subscriptTexts.join('\u0000');
  let program = programs.get(id);
  if (program === undefined) {
    // Each planner script reads ARGV and ends in `return`: as the body of a function of ARGV it keeps both meanings.
    const functions = subscriptTexts.map((text) => `function(ARGV)\n${text}\nend`).join(',\n');
    const script = `local SUBSCRIPTS = {\n${functions}\n}\n${RUNNER}`;
    program = { script, sha: createHash('sha1').update(script).digest('hex'), subscripts: new Map(subscriptTexts.map((t, k) => [t, k + 1])) };
    programs.set(id, program);
  }
  return program;
}

/** The script and its arguments for one batch (pure: tested without Redis); `args` is what the script reads as ARGV. */
export function guardedBatchCall(guards: readonly Guard[], commands: readonly RedisCommand[]): { script: string; sha: string; args: string[] } {
  const texts = [...new Set(commands.filter((c) => c[0]?.toUpperCase() === 'EVAL').map((c) => c[1] ?? ''))];
  const program = programFor(texts);
  const args: string[] = [String(guards.length)];
  for (const g of guards) args.push(g.key, g.field ?? '', g.expected === null ? '0' : '1', g.expected ?? '');
  for (const command of commands) {
    const [name, ...rest] = command;
    if (name === undefined) continue;
    if (name.toUpperCase() === 'EVAL') {
      const [text = '', numkeys, ...scriptArgs] = rest;
      // Planner scripts name their keys in ARGV (one Redis, no cluster): there are no KEYS to pass on.
      if (numkeys !== '0') throw new Error('a planner script must take its keys as arguments (numkeys 0)');
      args.push(String(scriptArgs.length + 1), `#${program.subscripts.get(text)}`, ...scriptArgs);
      continue;
    }
    if (command.length > MAX_COMMAND_ARGS) throw new Error(`a planned ${name} has ${command.length} arguments, more than a script can pass on`);
    args.push(String(command.length), ...command);
  }
  return { script: program.script, sha: program.sha, args };
}

/**
 * Runs the batch: `applied: false` when a guard no longer holds (nothing was
 * written; plan again from what is stored now). Rejects when a command failed,
 * after the rest, offset included, was applied, as EXEC did.
 */
export async function runGuardedBatch(redis: StoreClient, guards: readonly Guard[], commands: readonly RedisCommand[]): Promise<GuardedOutcome> {
  const call = guardedBatchCall(guards, commands);
  const packed = packArguments(call.args);
  let reply: unknown;
  try {
    reply = await redis.sendCommand(['EVALSHA', call.sha, '0', packed]);
  } catch (error) {
    if (!String((error as Error)?.message ?? error).startsWith('NOSCRIPT')) throw error;
    reply = await redis.sendCommand(['EVAL', call.script, '0', packed]);
  }
  if (!Array.isArray(reply)) throw new Error(`unexpected reply from the batch script: ${String(reply)}`);
  if (Number(reply[0]) !== 1) return { applied: false };
  if (Number(reply[1]) > 0) throw new Error(`${String(reply[1])} command(s) of the batch failed; the rest was applied: ${String(reply[2])}`);
  return { applied: true };
}

/**
 * The arguments as the script's one JSON argument. JSON.stringify escapes a
 * lone surrogate (a string cut inside an emoji) as \\udXXX, which cjson
 * refuses; sent as a plain argument it would have become U+FFFD on its way
 * to UTF-8, so it becomes U+FFFD here too. A pair is never escaped, and a
 * false alarm (a backslash the text itself held) only costs a second pass.
 */
export function packArguments(args: readonly string[]): string {
  const json = JSON.stringify(args);
  return LONE_SURROGATE_ESCAPE.test(json) ? JSON.stringify(args.map((a) => a.toWellFormed())) : json;
}

const LONE_SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/i;

/**
 * Plans and runs a batch until its guards hold: `attempt` answers null when
 * what it read changed before its script ran (nothing was written), and is
 * then tried again from what is stored now, up to `maxAttempts` times.
 */
export async function untilGuardsHold<T>(maxAttempts: number, attempt: () => Promise<T | null>): Promise<T> {
  for (let n = 1; n <= maxAttempts; n++) {
    const outcome = await attempt();
    if (outcome !== null) return outcome;
  }
  throw new GuardConflictError(maxAttempts);
}

/** Thrown after too many attempts whose guards kept changing: other writers keep touching what the batch read. */
export class GuardConflictError extends Error {
  constructor(attempts: number) {
    super(`the batch's guarded keys changed under it ${attempts} times in a row`);
    this.name = 'GuardConflictError';
  }
}
