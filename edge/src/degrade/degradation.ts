/**
 * The edge's degradation: its signals, the level they put it at (core's
 * `nextLevelState`, with its hysteresis), the central parts' level
 * (upstream.ts) and the level in force, the worse of the two, which every
 * decision of the isolate's visitor objects is made at. Everything here is
 * counters and fixed windows: evaluating it on each request allocates
 * nothing unless the level or its reason changes.
 */
import { initialLevelState, levelRank, nextLevelState, type DegradePolicy, type Level, type LevelState } from '@sessionflow/core';
import { OutboxDepthWindow } from './outbox-depth.js';
import type { EdgeSignal } from './policy.js';
import { ReadStats } from './read-stats.js';
import { RequestRate } from './request-rate.js';
import { UpstreamLevel } from './upstream.js';

/** The level decisions are made at, and why: the signal that set it, or `upstream:<part>`; undefined at `full`. */
export interface LevelInForce {
  readonly level: Level;
  readonly reason: string | undefined;
}

export type EdgeSignals = Record<EdgeSignal, number | undefined>;

const FULL: LevelInForce = { level: 'full', reason: undefined };

export class EdgeDegradation {
  readonly outbox = new OutboxDepthWindow();
  readonly requests = new RequestRate();
  readonly reads = new ReadStats();
  readonly upstream = new UpstreamLevel();
  private own: LevelState;
  private inForce: LevelInForce = FULL;
  /** Changes of the level in force, by `<from> <to>`. */
  private readonly changes = new Map<string, number>();
  /** Measured into the same object each time: core's step only reads it. */
  private readonly measured: EdgeSignals = { outbox_depth: 0, read_p99_ms: undefined, read_failure_share: undefined, requests_per_s: 0 };

  constructor(nowMs: number) {
    this.own = initialLevelState(nowMs);
  }

  /** The signals as they are at `nowMs` (the same object every time: copy it to keep it). */
  signals(nowMs: number): Readonly<EdgeSignals> {
    const m = this.measured;
    m.outbox_depth = this.outbox.value(nowMs);
    m.requests_per_s = this.requests.value(nowMs);
    m.read_p99_ms = this.reads.p99(nowMs);
    m.read_failure_share = this.reads.failureShare(nowMs);
    return m;
  }

  /** One step of the policy at `nowMs`: the level the edge decides at now. */
  levelAt(nowMs: number, policy: DegradePolicy): LevelInForce {
    this.own = nextLevelState(policy, this.own, this.signals(nowMs), nowMs);
    const upstream = this.upstream.current(nowMs);
    // The worse of the two; on a tie the edge's own signal is the reason (it is the one the edge can tell about).
    const fromUpstream = upstream !== undefined && levelRank(upstream.level) > levelRank(this.own.level);
    const level = fromUpstream ? upstream.level : this.own.level;
    const reason = level === 'full' ? undefined : fromUpstream ? upstream.reason : (this.own.reason ?? upstream?.reason);
    const was = this.inForce;
    if (level !== was.level) {
      const key = `${was.level} ${level}`;
      this.changes.set(key, (this.changes.get(key) ?? 0) + 1);
    }
    if (level !== was.level || reason !== was.reason) this.inForce = level === 'full' ? FULL : { level, reason };
    return this.inForce;
  }

  /** The level in force as last evaluated (no step taken). */
  current(): LevelInForce {
    return this.inForce;
  }

  /** How often the level in force went from one level to another. */
  changeCounts(): { from: Level; to: Level; count: number }[] {
    return [...this.changes].map(([key, count]) => {
      const [from, to] = key.split(' ') as [Level, Level];
      return { from, to, count };
    });
  }
}
