/**
 * The batch's commands simulated in order (pure): the type each key gets, the
 * values of the hash fields the batch sets, and what must hold in Redis for
 * the rest, as the checks the batch script reads before it writes
 * (batch-checks.ts says which command needs what).
 */

export type KeyType = 'string' | 'hash' | 'list' | 'set' | 'zset' | 'hll';

/** One read the script makes before it writes; `describe` says which commands need it. A field '' is a string key's own value. */
export type Check =
  | { op: 'type'; key: string; type: KeyType; describe: string }
  | { op: 'int'; key: string; field: string; up: number; down: number; describe: string }
  | { op: 'float'; key: string; field: string; by: number; describe: string }
  | { op: 'intValues'; key: string; up: number; describe: string };

/** What a planner's script touches, declared for each call (planner-scripts.ts). */
export interface ScriptTouch {
  key: string;
  type: KeyType;
  /** The script may increment any field of this hash by 1 up to this many times: every field must be an integer with room for it. */
  incrementsAnyField?: number;
  /** The script may add up to `up` (by HINCRBY) to these fields of this hash: each must be an integer with room for it. */
  incrementsFields?: readonly { field: string; up: number }[];
}

/** A batch whose commands would fail whatever Redis holds, or a command the checks do not know: a planner's bug. */
export class BatchPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchPlanError';
  }
}

/** 2^53 − 1: a counter beyond it is refused rather than risked (Lua numbers are doubles). */
export const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;

interface StoredField {
  kind: 'int' | 'float';
  up: number;
  down: number;
  by: number;
  who: string[];
}

/**
 * Simulates the batch's commands in order. A key (or hash field) is either as
 * stored in Redis, and then what a command needs of it becomes a check, or
 * known from an earlier command of the batch, and then it is checked here.
 */
export class BatchSimulation {
  /** Keys an earlier command of the batch gave a type (or deleted); absent: as stored. */
  private readonly known = new Map<string, KeyType | 'none'>();
  private readonly typeChecks: Check[] = [];
  /** Stored fields the batch adds to: one check each, with everything added. */
  private readonly storedFields = new Map<string, Map<string, StoredField>>();
  /** Field values an earlier command set (null: deleted). */
  private readonly knownFields = new Map<string, Map<string, string | null>>();
  /** Hashes the batch deleted or overwrote: every field not in knownFields is absent. */
  private readonly fieldsAbsent = new Set<string>();
  /** Fields HSETNX may or may not have set: their value is not known to the plan. */
  private readonly conditional = new Map<string, Set<string>>();
  private readonly anyField = new Map<string, { up: number; who: string[] }>();

  need(key: string, type: KeyType, who: string): void {
    const known = this.known.get(key);
    if (known === undefined) {
      this.typeChecks.push({ op: 'type', key, type, describe: who });
      this.known.set(key, type);
    } else if (known !== 'none' && known !== type) {
      throw new BatchPlanError(`${who} needs ${key} to be a ${type}, but an earlier command of the batch makes it a ${known}`);
    }
  }

  /** After the command the key holds `type`, or nothing. */
  becomes(key: string, type: KeyType | 'none'): void {
    const before = this.known.get(key);
    this.known.set(key, type);
    // A hash keeps its fields, a string its value (kept as the field ''); anything else starts from nothing.
    if (type === 'hash' || (type === 'string' && before === 'string')) return;
    this.fieldsAbsent.add(key);
    this.knownFields.delete(key);
    // Per key, not a scan of every field: a batch of thousands of seen keys made that quadratic.
    this.conditional.delete(key);
  }

  private isConditional(key: string, field: string): boolean {
    return this.conditional.get(key)?.has(field) === true;
  }

  private knownValue(key: string, field: string): { known: true; value: string | null } | { known: false } {
    if (this.isConditional(key, field)) return { known: false };
    const fields = this.knownFields.get(key);
    if (fields?.has(field)) return { known: true, value: fields.get(field) ?? null };
    return this.fieldsAbsent.has(key) ? { known: true, value: null } : { known: false };
  }

  setField(key: string, field: string, value: string | null): void {
    this.conditional.get(key)?.delete(field);
    const fields = this.knownFields.get(key) ?? new Map<string, string | null>();
    fields.set(field, value);
    this.knownFields.set(key, fields);
  }

  /** HSETNX: the field keeps a value it had; else it gets this one. */
  setFieldIfAbsent(key: string, field: string, value: string): void {
    const current = this.knownValue(key, field);
    if (current.known) {
      if (current.value === null) this.setField(key, field, value);
    } else {
      const fields = this.conditional.get(key);
      if (fields === undefined) this.conditional.set(key, new Set([field]));
      else fields.add(field);
    }
  }

  private stored(key: string, field: string, kind: 'int' | 'float', who: string): StoredField {
    if (this.isConditional(key, field)) throw new BatchPlanError(`${who} adds to ${key} ${field}, which the batch set only if it was absent`);
    const fields = this.storedFields.get(key) ?? new Map<string, StoredField>();
    this.storedFields.set(key, fields);
    const state = fields.get(field) ?? { kind, up: 0, down: 0, by: 0, who: [] };
    if (state.kind !== kind) throw new BatchPlanError(`${who} adds ${kind === 'int' ? 'an integer' : 'a float'} to ${key} ${field}, which the batch also adds ${state.kind === 'int' ? 'integers' : 'floats'} to`);
    fields.set(field, state);
    state.who.push(who);
    return state;
  }

  addInt(key: string, field: string, n: number, who: string): void {
    const current = this.knownValue(key, field);
    if (current.known) {
      const value = current.value === null ? 0 : strictInteger(current.value);
      if (value === null) throw new BatchPlanError(`${who} increments ${key} ${field}, which an earlier command of the batch sets to a non-integer`);
      if (Math.abs(value + n) > MAX_EXACT_INTEGER) throw new BatchPlanError(`${who} takes ${key} ${field} beyond ±2^53`);
      this.setField(key, field, String(value + n));
      return;
    }
    const state = this.stored(key, field, 'int', who);
    if (n >= 0) state.up += n;
    else state.down -= n;
    const any = this.anyField.get(key);
    if (any !== undefined && n > 0) any.up += n;
  }

  addFloat(key: string, field: string, x: number, who: string): void {
    const current = this.knownValue(key, field);
    if (current.known) {
      const value = current.value === null ? 0 : Number(current.value);
      if (!Number.isFinite(value) || !Number.isFinite(value + x)) throw new BatchPlanError(`${who} adds to ${key} ${field}, which an earlier command of the batch sets to a value it cannot add to`);
      this.setField(key, field, String(value + x));
      return;
    }
    this.stored(key, field, 'float', who).by += Math.abs(x);
  }

  /** A script may increment any field of the hash by 1, up to `times` times: every stored field must be an integer with room. */
  incrementsAnyField(key: string, times: number, who: string): void {
    if (this.fieldsAbsent.has(key) || this.knownFields.has(key)) throw new BatchPlanError(`${who} increments any field of ${key}, whose fields the batch also sets or deletes`);
    let any = this.anyField.get(key);
    if (any === undefined) {
      // What the batch adds to single fields of it counts too: the script may add to the same field.
      let up = 0;
      for (const state of this.storedFields.get(key)?.values() ?? []) if (state.kind === 'int') up += state.up;
      any = { up, who: [] };
      this.anyField.set(key, any);
    }
    any.up += times;
    any.who.push(who);
  }

  /** The reads that must hold in Redis: the key types in the order first needed, then the fields. */
  checks(): Check[] {
    const checks: Check[] = [...this.typeChecks];
    for (const [key, fields] of this.storedFields) {
      for (const [field, state] of fields) {
        const describe = state.who.join(', ');
        if (state.kind === 'int') checks.push({ op: 'int', key, field, up: state.up, down: state.down, describe });
        else checks.push({ op: 'float', key, field, by: state.by, describe });
      }
    }
    for (const [key, { up, who }] of this.anyField) checks.push({ op: 'intValues', key, up, describe: who.join(', ') });
    return checks;
  }
}

/** Redis' strict integer text (no sign but `-`, no leading zeros, no spaces), within ±2^53; else null. */
export function strictInteger(text: string): number | null {
  if (!/^(0|-?[1-9][0-9]{0,15})$/.test(text)) return null;
  const value = Number(text);
  return Math.abs(value) <= MAX_EXACT_INTEGER ? value : null;
}
