import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  LEVELS,
  initialLevelState,
  levelAllows,
  levelRank,
  nextLevelState,
  parseDegradePolicy,
  worseLevel,
  type DegradePolicy,
  type LevelState,
} from '../src/index.js';

const policy: DegradePolicy = {
  triggers: [
    { signal: 'lag_s', level: 'popularity', enter: 5, exit: 1 },
    { signal: 'lag_s', level: 'live_only', enter: 30, exit: 10 },
    { signal: 'outbox_depth', level: 'data_only', enter: 20, exit: 5 },
  ],
  recoverAfterMs: 2_000,
};

function walk(steps: { at: number; signals: Record<string, number | undefined> }[]): LevelState[] {
  let state = initialLevelState(0);
  return steps.map(({ at, signals }) => (state = nextLevelState(policy, state, signals, at)));
}

describe('levels', () => {
  test('each level sheds one more extra than the one before', () => {
    expect(LEVELS.map((l) => levelAllows(l))).toEqual([
      { sessionRecs: true, profileReads: true, decisions: true },
      { sessionRecs: false, profileReads: true, decisions: true },
      { sessionRecs: false, profileReads: false, decisions: true },
      { sessionRecs: false, profileReads: false, decisions: false },
    ]);
    expect(worseLevel('popularity', 'data_only')).toBe('data_only');
    expect(worseLevel('live_only', 'full')).toBe('live_only');
  });
});

describe('nextLevelState', () => {
  test('worsens at once to the worst level whose signal reached its enter threshold, naming the signal', () => {
    const [a, b] = walk([
      { at: 10, signals: { lag_s: 6 } },
      { at: 20, signals: { lag_s: 6, outbox_depth: 25 } },
    ]);
    expect(a).toMatchObject({ level: 'popularity', reason: 'lag_s', since: 10 });
    expect(b).toMatchObject({ level: 'data_only', reason: 'outbox_depth', since: 20 });
  });

  test('between exit and enter the level holds: no flapping at a threshold', () => {
    const states = walk([
      { at: 0, signals: { lag_s: 5 } },
      { at: 1_000, signals: { lag_s: 4.9 } },
      { at: 5_000, signals: { lag_s: 1.5 } },
      { at: 9_000, signals: { lag_s: 5.1 } },
    ]);
    expect(states.map((s) => s.level)).toEqual(['popularity', 'popularity', 'popularity', 'popularity']);
    expect(states[3]!.since).toBe(0);
  });

  test('recovers one level per calm period, only after every signal stayed below its exit', () => {
    const states = walk([
      { at: 0, signals: { outbox_depth: 30, lag_s: 40 } },
      { at: 1_000, signals: { outbox_depth: 2, lag_s: 0 } }, // calm from here
      { at: 2_999, signals: { outbox_depth: 2, lag_s: 0 } },
      { at: 3_000, signals: { outbox_depth: 2, lag_s: 0 } }, // → live_only
      { at: 4_000, signals: { outbox_depth: 2, lag_s: 0 } },
      { at: 5_000, signals: { outbox_depth: 2, lag_s: 0 } }, // → popularity
      { at: 7_000, signals: { outbox_depth: 2, lag_s: 0 } }, // → full
    ]);
    expect(states.map((s) => s.level)).toEqual(['data_only', 'data_only', 'data_only', 'live_only', 'live_only', 'popularity', 'full']);
    expect(states[6]!.reason).toBeUndefined();
  });

  test('a signal back above its exit restarts the calm period', () => {
    const states = walk([
      { at: 0, signals: { lag_s: 6 } },
      { at: 1_000, signals: { lag_s: 0 } },
      { at: 2_500, signals: { lag_s: 2 } }, // holds again
      { at: 3_500, signals: { lag_s: 0 } },
      { at: 5_000, signals: { lag_s: 0 } },
      { at: 5_500, signals: { lag_s: 0 } },
    ]);
    expect(states.map((s) => s.level)).toEqual(['popularity', 'popularity', 'popularity', 'popularity', 'popularity', 'full']);
  });

  test('a missing signal neither fires nor holds', () => {
    const [a, b, c] = walk([
      { at: 0, signals: { lag_s: 50 } },
      { at: 1, signals: {} },
      { at: 3_000, signals: { lag_s: undefined } },
    ]);
    expect(a!.level).toBe('live_only');
    expect(b!.level).toBe('live_only');
    expect(c!.level).toBe('popularity');
  });

  test('never changes level more than once per calm period while recovering, whatever the signals (property)', () => {
    const step = fc.record({ dt: fc.integer({ min: 1, max: 3_000 }), lag: fc.option(fc.double({ min: 0, max: 60, noNaN: true })), depth: fc.option(fc.integer({ min: 0, max: 40 })) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let state = initialLevelState(0);
        let at = 0;
        let lastUp = -Infinity;
        for (const s of steps) {
          at += s.dt;
          const next = nextLevelState(policy, state, { lag_s: s.lag ?? undefined, outbox_depth: s.depth ?? undefined }, at);
          const up = levelRank(next.level) < levelRank(state.level);
          if (up) {
            expect(levelRank(state.level) - levelRank(next.level)).toBe(1);
            expect(at - lastUp).toBeGreaterThanOrEqual(policy.recoverAfterMs);
            lastUp = at;
          }
          if (levelRank(next.level) > levelRank(state.level)) lastUp = at;
          state = next;
        }
      }),
    );
  });
});

describe('parseDegradePolicy', () => {
  test('accepts a policy and refuses a malformed one with the path of the error', () => {
    expect(parseDegradePolicy(policy)).toEqual({ ok: true, value: policy });
    const bad = parseDegradePolicy({ triggers: [policy.triggers[0], { signal: 'lag_s', level: 'full', enter: 1, exit: 0 }], recoverAfterMs: 10 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]!.field).toBe('triggers.1.level');
    const inverted = parseDegradePolicy({ triggers: [{ signal: 'lag_s', level: 'popularity', enter: 1, exit: 5 }], recoverAfterMs: 10 });
    expect(inverted.ok).toBe(false);
    if (!inverted.ok) expect(inverted.errors[0]).toMatchObject({ field: 'triggers.0', reason: expect.stringContaining('exit') });
    const missing = parseDegradePolicy({ triggers: [] });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors[0]).toEqual({ field: 'recoverAfterMs', reason: 'is required' });
    expect(parseDegradePolicy([]).ok).toBe(false);
  });
});
