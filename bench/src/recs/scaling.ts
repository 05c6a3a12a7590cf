/**
 * The scorer's cost as the history grows: synthetic histories of the sizes asked (synthetic.ts,
 * shaped like the log), each replayed into core's in-memory state the way the evaluation replays
 * the training sessions, then the prefixes of sessions drawn after the history scored one by one
 * and timed. The state's heap is measured around the replay (with `--expose-gc`, after a
 * collection on each side; without it the figure is a rough one and says so).
 */
import { performance } from 'node:perf_hooks';
import {
  applyRecsChange,
  changeForSession,
  emptyRecsState,
  memoryRecsReader,
  recommend,
  UNDECAYED_POPULARITY,
  type RecsOptions,
} from '@sessionflow/core';
import { percentile } from '../stats.js';
import { syntheticSessions, type HistoryShape } from './synthetic.js';

export interface ScalingStep {
  readonly sessions: number;
  readonly items: number;
  /** Heap the state holds, bytes. */
  readonly stateBytes: number;
  /** Entries over all items' recent-session lists (bounded by the per-item cap). */
  readonly listEntries: number;
  readonly buildSeconds: number;
  readonly prefixes: number;
  /** p50 / p99 of one `recommend` call, µs, per option set measured. */
  readonly scoreUs: Record<string, { p50: number; p99: number }>;
  /** HR@20 of the synthetic next views, per option set: whether the sample size costs quality where it binds. */
  readonly hitRate: Record<string, number>;
}

export interface ScalingSettings {
  readonly sizes: readonly number[];
  /** Prefixes timed per size (after `warmup` untimed ones). */
  readonly prefixes: number;
  readonly warmup: number;
  /** The state's per-item cap. */
  readonly sessionsPerItem: number;
  /** Option sets to time, by name; the first is the one reported as the figure. */
  readonly options: Readonly<Record<string, RecsOptions>>;
  readonly seed: number;
}

const CUTOFF = 20;

export function measureScaling(
  shape: HistoryShape,
  settings: ScalingSettings,
  onProgress: (line: string) => void,
): ScalingStep[] {
  return settings.sizes.map((size) => measureSize(shape, size, settings, onProgress));
}

function measureSize(shape: HistoryShape, size: number, settings: ScalingSettings, onProgress: (line: string) => void): ScalingStep {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const state = emptyRecsState(settings.sessionsPerItem);
  let built = 0;
  for (const s of syntheticSessions(shape, size, 0, size, settings.seed)) {
    const views = s.items.map((item, i) => ({ item, time: s.times[i]! }));
    applyRecsChange(state, changeForSession(s.id, views, UNDECAYED_POPULARITY));
    built += 1;
    if (built % 20_000 === 0) onProgress(`recs scaling: ${size.toLocaleString('en-US')} sessions: ${built.toLocaleString('en-US')} replayed`);
  }
  const buildSeconds = (performance.now() - started) / 1000;
  gc?.();
  const stateBytes = process.memoryUsage().heapUsed - heapBefore;
  let listEntries = 0;
  for (const list of state.itemSessions.values()) listEntries += list.length;

  const reader = memoryRecsReader(state);
  // Prefixes of the sessions that follow the history, as the evaluation's test prefixes follow training.
  const cases: { items: string[]; time: number; next: string }[] = [];
  const wanted = settings.warmup + settings.prefixes;
  for (const s of syntheticSessions(shape, size, size, wanted, settings.seed)) {
    for (let length = 1; length < s.items.length && cases.length < wanted; length += 1) {
      cases.push({ items: s.items.slice(0, length), time: s.times[length - 1]!, next: s.items[length]! });
    }
    if (cases.length >= wanted) break;
  }
  const scoreUs: ScalingStep['scoreUs'] = {};
  const hitRate: ScalingStep['hitRate'] = {};
  for (const [name, options] of Object.entries(settings.options)) {
    const timings: number[] = [];
    let hits = 0;
    cases.forEach((c, i) => {
      const t0 = performance.now();
      const ranked = recommend(reader, c.items, { nowMs: c.time }, { ...options, n: CUTOFF });
      const us = (performance.now() - t0) * 1000;
      if (i < settings.warmup) return;
      timings.push(us);
      if (ranked.some((r) => r.item === c.next)) hits += 1;
    });
    scoreUs[name] = { p50: percentile(timings, 50), p99: percentile(timings, 99) };
    hitRate[name] = timings.length === 0 ? Number.NaN : hits / timings.length;
    onProgress(`recs scaling: ${size.toLocaleString('en-US')} sessions: ${name} scored`);
  }
  return {
    sessions: size,
    items: shape.catalogue,
    stateBytes,
    listEntries,
    buildSeconds,
    prefixes: Math.max(0, cases.length - settings.warmup),
    scoreUs,
    hitRate,
  };
}
