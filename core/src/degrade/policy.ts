/**
 * Which level a part is at, from the signals it measures: a small table of
 * triggers and one pure step function, so every part degrades by the same
 * rules and a test can walk the steps without a clock.
 *
 * Hysteresis, so a signal hovering at a threshold does not flap the level:
 * a trigger fires when its signal reaches `enter` and keeps holding its level
 * until the signal falls below `exit` (lower than `enter`); the level worsens
 * at once, but recovers only one level at a time, and only after every signal
 * has stayed below what would hold the current level for `recoverAfterMs`.
 */
import * as v from 'valibot';
import type { FieldError, Validated } from '../event/validate.js';
import { LEVELS, levelRank, worseLevel, type Level } from './level.js';

export interface Trigger {
  /** The measured signal's name (`outbox_depth`, `lag_s`, ...). */
  signal: string;
  /** The level this trigger puts the part at when it fires (never `full`). */
  level: Exclude<Level, 'full'>;
  /** Fires when the signal is at least this. */
  enter: number;
  /** Keeps holding its level while the signal is at least this. */
  exit: number;
}

export interface DegradePolicy {
  triggers: Trigger[];
  /** How long every signal must stay calm before the level goes up by one. */
  recoverAfterMs: number;
}

export interface LevelState {
  level: Level;
  /** The trigger's signal that set the level (`undefined` at `full`, or while recovering with none firing). */
  reason: string | undefined;
  /** When the level was entered. */
  since: number;
  /** Since when nothing has held the current level; undefined while something does. */
  calmSince: number | undefined;
}

/** The signals as measured now; a missing one neither fires nor holds (a part may not measure it yet). */
export type LevelSignals = Readonly<Record<string, number | undefined>>;

export function initialLevelState(now: number): LevelState {
  return { level: 'full', reason: undefined, since: now, calmSince: undefined };
}

/** The worst level among the triggers whose signal is at least `bound(trigger)`, with the signal that set it. */
function worstFiring(policy: DegradePolicy, signals: LevelSignals, bound: (t: Trigger) => number): { level: Level; reason: string | undefined } {
  let out: { level: Level; reason: string | undefined } = { level: 'full', reason: undefined };
  for (const trigger of policy.triggers) {
    const value = signals[trigger.signal];
    if (value === undefined || !Number.isFinite(value) || value < bound(trigger)) continue;
    if (levelRank(trigger.level) > levelRank(out.level)) out = { level: trigger.level, reason: trigger.signal };
  }
  return out;
}

/** One step: where the part is after measuring `signals` at `now`. */
export function nextLevelState(policy: DegradePolicy, state: LevelState, signals: LevelSignals, now: number): LevelState {
  const demanded = worstFiring(policy, signals, (t) => t.enter);
  if (levelRank(demanded.level) > levelRank(state.level)) {
    return { level: demanded.level, reason: demanded.reason, since: now, calmSince: undefined };
  }
  const held = worstFiring(policy, signals, (t) => t.exit);
  if (levelRank(held.level) >= levelRank(state.level)) {
    // Still held where it is (the reason may have moved to another signal that holds the same level).
    const reason = levelRank(held.level) === levelRank(state.level) && held.reason !== undefined ? held.reason : state.reason;
    return state.calmSince === undefined && reason === state.reason ? state : { ...state, reason, calmSince: undefined };
  }
  const calmSince = state.calmSince ?? now;
  if (now - calmSince < policy.recoverAfterMs) return state.calmSince === calmSince ? state : { ...state, calmSince };
  // One level up, never past what still holds; the next step waits out another calm period.
  const up = LEVELS[levelRank(state.level) - 1]!;
  const level = worseLevel(up, held.level);
  return { level, reason: level === 'full' ? undefined : held.reason ?? state.reason, since: now, calmSince: level === 'full' ? undefined : now };
}

const TriggerSchema = v.pipe(
  v.strictObject({
    signal: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower-case name of at most 64 letters, digits and _')),
    level: v.picklist(LEVELS.slice(1) as [Exclude<Level, 'full'>, ...Exclude<Level, 'full'>[]], `must be one of ${LEVELS.slice(1).join(', ')}`),
    enter: v.pipe(v.number(), v.finite('must be a finite number')),
    exit: v.pipe(v.number(), v.finite('must be a finite number')),
  }),
  v.check((t) => t.exit <= t.enter, 'exit must not be above enter (it is the lower threshold, for hysteresis)'),
);

const PolicySchema = v.strictObject({
  triggers: v.pipe(v.array(TriggerSchema), v.maxLength(32, 'must hold at most 32 triggers')),
  recoverAfterMs: v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must not be negative'), v.maxValue(3_600_000, 'must be at most an hour')),
});

/** A policy from configuration (JSON already parsed); errors name the path (`triggers.1.exit`). */
export function parseDegradePolicy(input: unknown): Validated<DegradePolicy> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '(policy)', reason: 'must be an object with triggers and recoverAfterMs' }] };
  }
  const result = v.safeParse(PolicySchema, input);
  if (result.success) return { ok: true, value: result.output };
  const errors: FieldError[] = result.issues.map((issue) => {
    const path = issue.path?.map((item) => String(item.key)).join('.');
    const missing = issue.input === undefined && issue.kind === 'schema';
    return { field: path && path.length > 0 ? path : '(policy)', reason: missing ? 'is required' : issue.message };
  });
  return { ok: false, errors };
}
