import { describe, expect, it } from 'vitest';
import { planSessionEvents } from '../../src/pipeline/sessions/fold-plan.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import type { StoredSession } from '../../src/pipeline/sessions/stored.js';
import { idleCutoff, markCommands, planTick, type TickPlan } from '../../src/pipeline/sessions/tick-plan.js';
import { addToCart, pageView, productClick, T0 } from './events.js';
import { MemoryStore } from './memory-store.js';

const TOPIC = 't.events';
const PARTITION = 0;
const INTERVAL = 5_000;
const GAP = 30 * 60_000;
// The sessions stage's keys of one events partition: its sessions and its open and due indexes.
const keys = sessionKeys('t', TOPIC, PARTITION);

/** One partition's sessions, folded and ticked with a clock moved by hand. */
class Partition {
  readonly store = new MemoryStore();

  fold(...events: Parameters<typeof planSessionEvents>[0]): void {
    const stored = new Map<string, StoredSession>();
    for (const id of new Set(events.map((e) => e.sessionId))) {
      const session = this.store.session(keys, id);
      if (session) stored.set(id, session);
    }
    this.store.run(planSessionEvents(events, stored, { keys, seenTtlSeconds: 60, snapshotIntervalMs: INTERVAL }));
  }

  /** What the ticker would emit at `now`, recorded as acknowledged; applied through now (no lag) unless told, null for not known yet. */
  tick(now: number, through: number | null = now): TickPlan {
    const appliedThrough = through ?? undefined;
    const candidates = this.store.candidates(keys, now, idleCutoff(appliedThrough, GAP));
    const plan = planTick({ now, appliedThrough, gapMs: GAP, candidates });
    this.store.run(markCommands(plan, this.versions(plan), { keys, snapshotIntervalMs: INTERVAL, closedTtlSeconds: 60 }));
    return plan;
  }

  versions(plan: TickPlan): Map<string, number | undefined> {
    const ids = [...plan.settled, ...plan.snapshots.map((s) => s.sessionId)];
    return new Map(ids.map((id) => [id, this.store.session(keys, id)?.version]));
  }
}

const shown = (plan: TickPlan) => plan.snapshots.map((s) => [s.sessionId, s.snapshot.state, s.snapshot.counts.events]);

describe('the ticker on a fake clock', () => {
  it('shows a new session at once, then its activity at most once per interval, and a quiet session not again', () => {
    const p = new Partition();
    p.fold(pageView('s-1', T0));
    expect(shown(p.tick(T0 + 300))).toEqual([['s-1', 'open', 1]]);

    p.fold(productClick('s-1', T0 + 1_000, 'mug', 'kitchen'));
    expect(shown(p.tick(T0 + 1_300))).toEqual([]);
    expect(shown(p.tick(T0 + 5_200))).toEqual([]);
    expect(shown(p.tick(T0 + 5_300))).toEqual([['s-1', 'open', 2]]);

    // Nothing new: no snapshot, however many ticks.
    for (let t = T0 + 6_000; t < T0 + 60_000; t += 1_000) expect(shown(p.tick(t))).toEqual([]);

    p.fold(addToCart('s-1', T0 + 60_000, 'mug'));
    expect(shown(p.tick(T0 + 60_100))).toEqual([['s-1', 'open', 3]]);
  });

  it('takes the snapshot with the values and signals of the session at that moment', () => {
    const p = new Partition();
    p.fold(pageView('s-1', T0), productClick('s-1', T0 + 1_000, 'mug', 'kitchen'), addToCart('s-1', T0 + 2_000, 'mug'));
    const [planned] = p.tick(T0 + 2_500).snapshots;
    expect(planned?.snapshot).toMatchObject({
      sessionId: 's-1',
      anonymousId: 'anon-of-s-1',
      state: 'open',
      startedAt: T0,
      lastActivityAt: T0 + 2_000,
      counts: { events: 3, pageViews: 1, productViews: 1, cartItems: 1 },
      signals: { topCategory: 'kitchen', productViews: 1, cartItems: 1, sessionDuration: 2_000 },
      snapshotAt: T0 + 2_500,
    });
  });

  it('closes a session idle longer than the gap, with no further event, once, and forgets it from the open index', () => {
    const p = new Partition();
    p.fold(pageView('s-1', T0), productClick('s-1', T0 + 1_000, 'mug', 'kitchen'));
    p.tick(T0 + 1_500);
    expect(shown(p.tick(T0 + 1_000 + GAP))).toEqual([]);
    expect(shown(p.tick(T0 + 1_001 + GAP))).toEqual([['s-1', 'closed', 2]]);
    expect(p.store.members(keys.open).size).toBe(0);
    expect(p.store.session(keys, 's-1')?.closedAt).toBe(T0 + 1_001 + GAP);
    expect(p.store.expiring.has(keys.session('s-1'))).toBe(true);
    expect(shown(p.tick(T0 + 2 * GAP))).toEqual([]);
  });

  it('closes a session with activity never shown yet with what it has', () => {
    const p = new Partition();
    p.fold(pageView('s-1', T0));
    expect(shown(p.tick(T0 + GAP + 1))).toEqual([['s-1', 'closed', 1]]);
    expect(p.store.members(keys.due).size).toBe(0);
  });

  it('does not close while the partition is not known to be applied past the gap', () => {
    const p = new Partition();
    p.fold(pageView('s-1', T0));
    p.tick(T0 + 100);
    expect(shown(p.tick(T0 + 2 * GAP, null))).toEqual([]);
    expect(shown(p.tick(T0 + 2 * GAP, T0 + GAP - 1))).toEqual([]);
    expect(shown(p.tick(T0 + 2 * GAP, T0 + GAP + 1))).toEqual([['s-1', 'closed', 1]]);
  });

  it('keeps a session open and due when events arrived while its snapshot was on its way', () => {
    const p = new Partition();
    p.fold(pageView('s-1', T0));
    const now = T0 + GAP + 10;
    const plan = planTick({ now, appliedThrough: now, gapMs: GAP, candidates: p.store.candidates(keys, now, idleCutoff(now, GAP)) });
    expect(shown(plan)).toEqual([['s-1', 'closed', 1]]);
    // A late event lands before the closing snapshot is recorded.
    p.fold(pageView('s-1', now + 5));
    p.store.run(markCommands(plan, p.versions(plan), { keys, snapshotIntervalMs: INTERVAL, closedTtlSeconds: 60 }));
    expect(p.store.session(keys, 's-1')?.closedAt).toBeUndefined();
    expect(p.store.members(keys.open).has('s-1')).toBe(true);
    expect(p.store.members(keys.due).get('s-1')).toBe(now + INTERVAL);
    expect(shown(p.tick(now + INTERVAL))).toEqual([['s-1', 'open', 2]]);
  });

  it('sends a snapshot again when it was sent but not recorded (a crash, a rebalance)', () => {
    const p = new Partition();
    p.fold(pageView('s-1', T0));
    const now = T0 + GAP + 10;
    const lost = planTick({ now, appliedThrough: now, gapMs: GAP, candidates: p.store.candidates(keys, now, idleCutoff(now, GAP)) });
    expect(shown(lost)).toEqual([['s-1', 'closed', 1]]);
    expect(shown(p.tick(now + 1_000))).toEqual([['s-1', 'closed', 1]]);
  });

  it('drops index entries of a session whose state is gone', () => {
    const p = new Partition();
    p.fold(pageView('s-1', T0));
    p.store.hashes.delete(keys.session('s-1'));
    const plan = p.tick(T0 + 100);
    expect(plan).toEqual({ snapshots: [], settled: ['s-1'] });
    expect(p.store.members(keys.open).size).toBe(0);
    expect(p.store.members(keys.due).size).toBe(0);
  });
});
