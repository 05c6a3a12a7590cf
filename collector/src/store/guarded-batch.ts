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
 * No silent loss: a command that would fail fails the whole batch, before
 * anything is written. Redis does not roll a script back, so after the guards
 * the script makes the checks of batch-checks.ts (each key's type, the values
 * the increments add to, the HyperLogLogs PFADD adds to), which only read; if
 * one fails it returns which, and writes nothing: not the state, not the seen
 * keys, not the offset. The caller gets a BatchWouldFailError and the stage
 * stops taking the partition until the cause is gone (stage-consumer.ts).
 * Then every command runs with `redis.call`, so a failure the checks did not
 * foresee (a bug in the table) ends the script before the offset, its last
 * command, is written: the batch is applied again rather than lost.
 *
 * What else can fail part-way, as tried on redis-server 7.0: under
 * `maxmemory`, Redis decides OOM when the script starts. Over the limit then,
 * the script's first write fails with OOM (the reads before it, guards and
 * checks, do not): nothing is written, the script ends, the batch is retried.
 * Under the limit then, every write of the script is let through, however far
 * past the limit it goes (Redis cannot stop a script half-way), and memory is
 * reclaimed after it. READONLY (a replica), MISCONF (a failed save) and
 * NOREPLICAS refuse a script's first write the same way. Evictions happen
 * between commands, never inside a script; but an eviction policy other than
 * `noeviction` may drop offsets, seen keys or guards between batches, which
 * breaks exactly-once: run the pipeline's Redis with `noeviction`.
 *
 * A planner's own Lua script (`[PLANNER_SCRIPT, text, ...args]`) runs as a
 * function inside this one, with the same arguments, and declares what it
 * touches (../pipeline/planner-scripts.ts).
 *
 * The script declares every key it touches (KEYS), all of the batch's
 * partition (owner.ts): what Redis Cluster needs to route it and to run it on
 * one shard, and what the runner holds every command to.
 */
import { createHash } from 'node:crypto';
import { PLANNER_SCRIPT, type RedisCommand } from '../pipeline/commands.js';
import { PLANNER_SCRIPTS } from '../pipeline/planner-scripts.js';
import { BatchPlanError, batchChecks, commandKeys, type Check } from './batch-checks.js';
import { RUNNER } from './batch-script.js';
import type { StoreClient, StoreScript } from './client.js';
import { hashTagOf } from './owner.js';

export interface Guard {
  key: string;
  /** A hash field; absent for a string key. */
  field?: string;
  /** The value read when the batch was planned; null = the key or field did not exist. */
  expected: string | null;
}

export type GuardedOutcome = { applied: true } | { applied: false };

/** A command of the batch would have failed on what Redis holds: nothing of the batch was written. */
export class BatchWouldFailError extends Error {
  constructor(
    readonly reason: string,
    readonly neededBy: string,
  ) {
    super(`a command would fail: ${reason} (needed by ${neededBy})`);
    this.name = 'BatchWouldFailError';
  }
}

/** Lua's `unpack` stops at its C stack (8,000 values); planners keep their commands well below. */
export const MAX_COMMAND_ARGS = 7_000;

interface Program extends StoreScript {
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
    program = { text: script, sha: createHash('sha1').update(script).digest('hex'), subscripts: new Map(subscriptTexts.map((t, k) => [t, k + 1])) };
    programs.set(id, program);
  }
  return program;
}

const CHECK_OPS: Readonly<Record<Check['op'], string>> = { type: 'T', int: 'I', float: 'F', intValues: 'A' };

/** A check as the script reads it: five arguments, the op's letter first. */
function checkArgs(check: Check): string[] {
  switch (check.op) {
    case 'type':
      return [CHECK_OPS.type, check.key, check.type, '', ''];
    case 'int':
      return [CHECK_OPS.int, check.key, check.field, String(check.up), String(check.down)];
    case 'float':
      return [CHECK_OPS.float, check.key, check.field, String(check.by), ''];
    case 'intValues':
      return [CHECK_OPS.intValues, check.key, String(check.up), '', ''];
  }
}

/**
 * The script, its declared keys and its arguments for one batch (pure:
 * tested without Redis); `args` is what the script reads as ARGV, `checks`
 * what it reads before it writes. `keys` is every key the guards, the checks
 * and the commands touch, each once: all of one hash tag (one partition's,
 * store/owner.ts), or the batch is refused here, since a cluster could not
 * run it and the partition would not own what it writes. The script refuses
 * a command whose key is not declared. Throws BatchPlanError for a batch the
 * checks cannot vouch for.
 */
export function guardedBatchCall(guards: readonly Guard[], commands: readonly RedisCommand[]): { script: StoreScript; keys: string[]; args: string[]; checks: Check[] } {
  const texts = [...new Set(commands.filter((c) => c[0] === PLANNER_SCRIPT).map((c) => c[1] ?? ''))];
  const program = programFor(texts);
  const declared = new Set<string>();
  const args: string[] = [String(guards.length)];
  for (const g of guards) {
    declared.add(g.key);
    args.push(g.key, g.field ?? '', g.expected === null ? '0' : '1', g.expected ?? '');
  }
  const commandArgs: string[] = [];
  for (const command of commands) {
    const [name, ...rest] = command;
    if (name === undefined) continue;
    for (const key of commandKeys(command, PLANNER_SCRIPTS)) declared.add(key);
    if (name === PLANNER_SCRIPT) {
      const [text = '', ...scriptArgs] = rest;
      commandArgs.push(String(scriptArgs.length + 1), `#${program.subscripts.get(text)}`, ...scriptArgs);
      continue;
    }
    if (command.length > MAX_COMMAND_ARGS) throw new Error(`a planned ${name} has ${command.length} arguments, more than a script can pass on`);
    commandArgs.push(String(command.length), ...command);
  }
  // After the arguments are known to pass on: the checks read what the commands will write.
  const checks = batchChecks(commands, PLANNER_SCRIPTS);
  for (const check of checks) declared.add(check.key);
  const keys = [...declared];
  oneSlot(keys);
  args.push(String(checks.length));
  for (const check of checks) args.push(...checkArgs(check));
  for (const arg of commandArgs) args.push(arg);
  return { script: program, keys, args, checks };
}

/** Throws BatchPlanError unless every key carries the same hash tag. */
function oneSlot(keys: readonly string[]): void {
  const first = keys[0];
  if (first === undefined) return;
  const tag = hashTagOf(first);
  const other = keys.find((key) => hashTagOf(key) !== tag);
  if (other !== undefined) throw new BatchPlanError(`a batch touches keys of two partitions (hash tags {${tag}} and {${hashTagOf(other)}}); every key of a batch is its partition's`);
}

/**
 * Runs the batch: `applied: false` when a guard no longer holds (nothing was
 * written; plan again from what is stored now). Rejects with
 * BatchWouldFailError when a check failed (nothing was written), with
 * BatchPlanError before sending a batch the checks cannot vouch for, and with
 * Redis' error when the script failed (OOM at its first write: nothing was
 * written; anything else ended it before the offset).
 */
export async function runGuardedBatch(redis: StoreClient, guards: readonly Guard[], commands: readonly RedisCommand[]): Promise<GuardedOutcome> {
  const call = guardedBatchCall(guards, commands);
  if (call.keys.length === 0) return { applied: true };
  const reply = await redis.runScript(call.script, call.keys, [packArguments(call.args)]);
  if (!Array.isArray(reply)) throw new Error(`unexpected reply from the batch script: ${String(reply)}`);
  const verdict = Number(reply[0]);
  if (verdict === 0) return { applied: false };
  if (verdict === 2) {
    const check = call.checks[Number(reply[1]) - 1];
    throw new BatchWouldFailError(String(reply[2]), check?.describe ?? 'a command of the batch');
  }
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
