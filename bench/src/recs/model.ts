/**
 * The model the pipeline runs, trained by replaying the training sessions through core's
 * incremental update, and the historical popularity baseline it is compared with.
 */
import {
  applyRecsChange,
  changeForSession,
  emptyRecsState,
  memoryRecsReader,
  recommend,
  UNDECAYED_POPULARITY,
  type RecsOptions,
} from '@sessionflow/core';
import type { Predictor } from './evaluate.js';
import type { LoggedSession } from './protocol.js';

/** How many recent sessions each item keeps: far above the sample sizes, so the unsampled reference reads every list whole. */
export const SESSIONS_PER_ITEM = 5000;

export function trainedReader(train: readonly LoggedSession[]): ReturnType<typeof memoryRecsReader> {
  const state = emptyRecsState(SESSIONS_PER_ITEM);
  const ordered = [...train].sort((a, b) => a.time - b.time);
  for (const s of ordered) {
    const views = s.items.map((item, i) => ({ item, time: s.times[i]! }));
    applyRecsChange(state, changeForSession(s.id, views, UNDECAYED_POPULARITY));
  }
  return memoryRecsReader(state);
}

export function sessionKnnPredictor(reader: ReturnType<typeof memoryRecsReader>, options: RecsOptions): Predictor {
  return (prefix) => recommend(reader, prefix.items, { nowMs: prefix.time }, options).map((r) => r.item);
}

/** The same top-n of the most viewed training items for every prefix: what a historical-only system shows. */
export function popularityPredictor(train: readonly LoggedSession[], n: number): Predictor {
  const counts = new Map<string, number>();
  for (const s of train) for (const item of s.items) counts.set(item, (counts.get(item) ?? 0) + 1);
  const top = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([item]) => item);
  return () => top;
}
