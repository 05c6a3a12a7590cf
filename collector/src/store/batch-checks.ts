/**
 * What must hold in Redis for every command of a batch to succeed, found
 * before the batch's script writes anything (pure: tested without Redis).
 *
 * Redis does not roll a script back: a command that fails after others wrote
 * leaves them written. So the batch script (guarded-batch.ts) first runs these
 * checks, which only read, and writes nothing when one fails; the stage then
 * stops taking the partition until the cause is gone (stage-consumer.ts).
 *
 * A command of the batch can fail on what Redis holds:
 * - the type of its key (WRONGTYPE): each command needs its key absent or of
 *   one type (a HyperLogLog is a string with a valid HLL header, as PFADD
 *   checks; a sparse one must also cover exactly its 16,384 registers);
 * - the value it adds to: HINCRBY needs an integer field (Redis' int64, kept
 *   here within ±2^53, where a Lua number is exact) that does not leave that
 *   range; HINCRBYFLOAT a number that stays finite;
 * and on its own arguments (a count that is no integer, a NaN score, an EX of
 * 0), which are checked here, at planning. So is the batch's own sequence: a
 * key first SET and then pushed to would fail whatever Redis holds.
 *
 * The table below names every command a planner may emit; any other name is a
 * planning error, so a planner cannot add a command whose failure the checks
 * would miss. A planner's own Lua script (`[PLANNER_SCRIPT, text, ...args]`)
 * declares what it touches (planner-scripts.ts): the keys and their types, and
 * the hashes whose every field it may increment.
 *
 * Not checked here because they cannot fail part-way: OOM (see
 * guarded-batch.ts), READONLY, MISCONF and NOREPLICAS refuse a script's first
 * write, so nothing of the batch is written.
 */
import { PLANNER_SCRIPT, type RedisCommand } from '../pipeline/commands.js';
import { BatchPlanError, BatchSimulation, MAX_EXACT_INTEGER, strictInteger, type Check, type KeyType, type ScriptTouch } from './batch-simulation.js';

export { BatchPlanError, type Check, type KeyType, type ScriptTouch } from './batch-simulation.js';

/** A plain decimal number (what the planners write), finite. */
function finiteDecimal(text: string): number | null {
  if (!/^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** A score ZADD takes: a decimal or ±inf, never NaN. */
function score(text: string): boolean {
  return finiteDecimal(text) !== null || /^[-+]?inf$/i.test(text);
}

/** What a command does to the simulation; throws BatchPlanError for arguments Redis would refuse. */
type Rule = (sim: BatchSimulation, args: readonly string[], who: string) => void;

function arity(who: string, args: readonly string[], min: number, pairsAfter?: number): void {
  if (args.length < min) throw new BatchPlanError(`${who} has ${args.length} arguments, needs at least ${min}`);
  if (pairsAfter !== undefined && (args.length - pairsAfter) % 2 !== 0) throw new BatchPlanError(`${who} needs field and value in pairs`);
}

function integerArg(who: string, text: string | undefined, what: string, min = -MAX_EXACT_INTEGER): number {
  const value = text === undefined ? null : strictInteger(text);
  if (value === null || value < min) throw new BatchPlanError(`${who}: ${what} must be an integer${min > -MAX_EXACT_INTEGER ? ` of at least ${min}` : ''} (got ${JSON.stringify(text)})`);
  return value;
}

/** Seconds or milliseconds of a relative or absolute expiry: far from the int64 milliseconds Redis computes with. */
const MAX_EXPIRY = 1e12;

const expiry: Rule = (_sim, args, who) => {
  arity(who, args, 2);
  const at = integerArg(who, args[1], 'the expiry');
  if (Math.abs(at) > MAX_EXPIRY) throw new BatchPlanError(`${who}: the expiry ${at} is out of range`);
  for (const option of args.slice(2)) if (!['NX', 'XX', 'GT', 'LT'].includes(option.toUpperCase())) throw new BatchPlanError(`${who}: unknown option ${option}`);
};

const typed =
  (type: KeyType, min: number, validate?: (args: readonly string[], who: string) => void): Rule =>
  (sim, args, who) => {
    arity(who, args, min);
    validate?.(args, who);
    const key = args[0] as string;
    sim.need(key, type, who);
    sim.becomes(key, type);
  };

/** INCR, DECR, INCRBY, DECRBY: a string key holding an integer, with room for what is added. */
function counter(sign: 1 | -1): Rule {
  return (sim, args, who) => {
    arity(who, args, 1);
    const key = args[0] as string;
    const by = args.length > 1 ? integerArg(who, args[1], 'the increment') : 1;
    sim.need(key, 'string', who);
    sim.becomes(key, 'string');
    sim.addInt(key, '', sign * by, who);
  };
}

/** Every command a planner may emit, and what it needs and leaves. */
export const COMMAND_RULES: Readonly<Record<string, Rule>> = Object.freeze({
  SET: (sim, args, who) => {
    arity(who, args, 2);
    const options = args.slice(2).map((o) => o.toUpperCase());
    if (options.length === 2 && (options[0] === 'EX' || options[0] === 'PX')) {
      const ttl = integerArg(who, args[3], 'the expiry', 1);
      if (ttl > MAX_EXPIRY) throw new BatchPlanError(`${who}: the expiry ${ttl} is out of range`);
    } else if (options.length > 0) throw new BatchPlanError(`${who}: only SET key value [EX|PX n] is planned (got ${options.join(' ')})`);
    sim.becomes(args[0] as string, 'string');
    sim.setField(args[0] as string, '', args[1] as string);
  },
  INCR: counter(1),
  DECR: counter(-1),
  INCRBY: counter(1),
  DECRBY: counter(-1),
  DEL: (sim, args, who) => {
    arity(who, args, 1);
    for (const key of args) sim.becomes(key, 'none');
  },
  UNLINK: (sim, args, who) => {
    arity(who, args, 1);
    for (const key of args) sim.becomes(key, 'none');
  },
  EXPIRE: expiry,
  PEXPIRE: expiry,
  EXPIREAT: expiry,
  PEXPIREAT: expiry,
  PERSIST: (_sim, args, who) => arity(who, args, 1),
  HSET: (sim, args, who) => {
    arity(who, args, 3, 1);
    const key = args[0] as string;
    sim.need(key, 'hash', who);
    sim.becomes(key, 'hash');
    for (let i = 1; i < args.length; i += 2) sim.setField(key, args[i] as string, args[i + 1] as string);
  },
  HSETNX: (sim, args, who) => {
    arity(who, args, 3);
    const key = args[0] as string;
    sim.need(key, 'hash', who);
    sim.becomes(key, 'hash');
    sim.setFieldIfAbsent(key, args[1] as string, args[2] as string);
  },
  HDEL: (sim, args, who) => {
    arity(who, args, 2);
    const key = args[0] as string;
    sim.need(key, 'hash', who);
    for (const field of args.slice(1)) sim.setField(key, field, null);
  },
  HINCRBY: (sim, args, who) => {
    arity(who, args, 3);
    const key = args[0] as string;
    const n = integerArg(who, args[2], 'the increment');
    sim.need(key, 'hash', who);
    sim.becomes(key, 'hash');
    sim.addInt(key, args[1] as string, n, who);
  },
  HINCRBYFLOAT: (sim, args, who) => {
    arity(who, args, 3);
    const key = args[0] as string;
    const x = finiteDecimal(args[2] as string);
    if (x === null) throw new BatchPlanError(`${who}: the increment must be a finite decimal (got ${JSON.stringify(args[2])})`);
    sim.need(key, 'hash', who);
    sim.becomes(key, 'hash');
    sim.addFloat(key, args[1] as string, x, who);
  },
  SADD: typed('set', 2),
  SREM: (sim, args, who) => {
    arity(who, args, 2);
    sim.need(args[0] as string, 'set', who);
  },
  ZADD: typed('zset', 3, (args, who) => {
    let i = 1;
    const flags = new Set<string>();
    while (i < args.length && ['NX', 'XX', 'GT', 'LT', 'CH'].includes((args[i] as string).toUpperCase())) flags.add((args[i++] as string).toUpperCase());
    if ((flags.has('NX') && (flags.has('XX') || flags.has('GT') || flags.has('LT'))) || (flags.has('GT') && flags.has('LT'))) {
      throw new BatchPlanError(`${who}: the options ${[...flags].join(' ')} cannot go together`);
    }
    const rest = args.slice(i);
    if (rest.length === 0 || rest.length % 2 !== 0) throw new BatchPlanError(`${who} needs score and member in pairs`);
    for (let k = 0; k < rest.length; k += 2) if (!score(rest[k] as string)) throw new BatchPlanError(`${who}: ${JSON.stringify(rest[k])} is not a score`);
  }),
  ZINCRBY: typed('zset', 3, (args, who) => {
    // Finite: a finite increment never makes a NaN score, the only way ZINCRBY fails on a zset.
    if (finiteDecimal(args[1] as string) === null) throw new BatchPlanError(`${who}: the increment must be a finite decimal (got ${JSON.stringify(args[1])})`);
  }),
  ZREM: (sim, args, who) => {
    arity(who, args, 2);
    sim.need(args[0] as string, 'zset', who);
  },
  ZREMRANGEBYSCORE: (sim, args, who) => {
    arity(who, args, 3);
    for (const bound of [args[1], args[2]] as string[]) if (!score(bound.replace(/^\(/, ''))) throw new BatchPlanError(`${who}: ${JSON.stringify(bound)} is not a score bound`);
    sim.need(args[0] as string, 'zset', who);
  },
  ZREMRANGEBYRANK: (sim, args, who) => {
    arity(who, args, 3);
    integerArg(who, args[1], 'the start');
    integerArg(who, args[2], 'the stop');
    sim.need(args[0] as string, 'zset', who);
  },
  LPUSH: typed('list', 2),
  RPUSH: typed('list', 2),
  LREM: typed('list', 3, (args, who) => void integerArg(who, args[1], 'the count')),
  LTRIM: typed('list', 3, (args, who) => {
    integerArg(who, args[1], 'the start');
    integerArg(who, args[2], 'the stop');
  }),
  LPOP: typed('list', 1, (args, who) => void (args[1] === undefined ? 0 : integerArg(who, args[1], 'the count', 1))),
  RPOP: typed('list', 1, (args, who) => void (args[1] === undefined ? 0 : integerArg(who, args[1], 'the count', 1))),
  PFADD: typed('hll', 1),
});

/** Commands of the table whose every argument is a key; the others name one key, their first argument. */
const ALL_KEYS = new Set(['DEL', 'UNLINK']);

/**
 * Every key `command` touches: what the batch script declares (guarded-batch.ts).
 * Throws BatchPlanError for a command or script the table does not know.
 */
export function commandKeys(command: RedisCommand, scripts: ReadonlyMap<string, ScriptDeclaration>): string[] {
  const [rawName, ...args] = command;
  if (rawName === undefined) return [];
  const name = rawName.toUpperCase();
  if (name === PLANNER_SCRIPT) {
    const [text = '', ...scriptArgs] = args;
    const declare = scripts.get(text);
    if (declare === undefined) throw new BatchPlanError(`${name}: a planner script that declares nothing it touches (planner-scripts.ts)`);
    return declare(scriptArgs).map((touch) => touch.key);
  }
  if (COMMAND_RULES[name] === undefined) throw new BatchPlanError(`${name} is not a command the batch checks know (store/batch-checks.ts)`);
  if (ALL_KEYS.has(name)) return args;
  return args.length === 0 ? [] : [args[0] as string];
}

/** Declares what a planner script touches for its arguments (planner-scripts.ts). */
export type ScriptDeclaration = (args: readonly string[]) => readonly ScriptTouch[];

/**
 * The checks a batch needs, in its commands' order. Throws BatchPlanError for
 * an unknown command or script, bad arguments, or a sequence that would fail
 * on its own.
 */
export function batchChecks(commands: readonly RedisCommand[], scripts: ReadonlyMap<string, ScriptDeclaration>): Check[] {
  const sim = new BatchSimulation();
  commands.forEach((command, index) => {
    const [rawName, ...args] = command;
    if (rawName === undefined) return;
    const name = rawName.toUpperCase();
    const who = `${name} (command ${index + 1})`;
    if (name === PLANNER_SCRIPT) {
      const [text = '', ...scriptArgs] = args;
      const declare = scripts.get(text);
      if (declare === undefined) throw new BatchPlanError(`${who}: a planner script that declares nothing it touches (planner-scripts.ts)`);
      for (const touch of declare(scriptArgs)) {
        sim.need(touch.key, touch.type, `${who} (script)`);
        sim.becomes(touch.key, touch.type);
        if (touch.incrementsAnyField !== undefined) sim.incrementsAnyField(touch.key, touch.incrementsAnyField, `${who} (script)`);
        for (const { field, up } of touch.incrementsFields ?? []) sim.addInt(touch.key, field, up, `${who} (script)`);
      }
      return;
    }
    const rule = COMMAND_RULES[name];
    if (rule === undefined) throw new BatchPlanError(`${who}: ${name} is not a command the batch checks know (store/batch-checks.ts); add it to COMMAND_RULES with what it needs`);
    rule(sim, args, who);
  });
  return sim.checks();
}
