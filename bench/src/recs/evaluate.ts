/**
 * Next-item evaluation: for every test session and every prefix of it, the predictor ranks items
 * and the item that came next is looked up in the top `cutoff`. HR@k is the share of predictions
 * with the next item in the top k; MRR@k the mean of 1/rank, counting 0 when it is not there.
 * Test sessions are replayed in time order; the predictor sees only the prefix (and what it
 * learned from training before the run).
 */
import { performance } from 'node:perf_hooks';
import { percentile } from '../stats.js';
import type { LoggedSession } from './protocol.js';

export interface Prefix {
  readonly session: string;
  readonly items: readonly string[];
  /** The prefix's last view, ms: "now" for the predictor. */
  readonly time: number;
}

export type Predictor = (prefix: Prefix) => readonly string[];

export interface Accuracy {
  readonly predictions: number;
  readonly hits: number;
  readonly hitRate: number;
  readonly mrr: number;
}

export interface Evaluation extends Accuracy {
  /** Microseconds per prediction, p50. */
  readonly scoreUsP50: number;
}

/** 1-based rank of `target` within the first `cutoff` of `ranked`, or 0 when it is not there. */
export function rankOf(ranked: readonly string[], target: string, cutoff: number): number {
  const index = ranked.slice(0, cutoff).indexOf(target);
  return index + 1;
}

/** HR and MRR from the ranks of the targets (0: not in the top k). */
export function accuracyOf(ranks: readonly number[]): Accuracy {
  const hits = ranks.filter((r) => r > 0).length;
  const reciprocal = ranks.reduce((sum, r) => sum + (r > 0 ? 1 / r : 0), 0);
  return {
    predictions: ranks.length,
    hits,
    hitRate: ranks.length === 0 ? 0 : hits / ranks.length,
    mrr: ranks.length === 0 ? 0 : reciprocal / ranks.length,
  };
}

/** Every (prefix, next item) pair of the test sessions, sessions in time order. */
export function* prefixesOf(test: readonly LoggedSession[]): Generator<{ prefix: Prefix; next: string }> {
  const ordered = [...test].sort((a, b) => a.times[0]! - b.times[0]! || a.time - b.time);
  for (const s of ordered) {
    for (let length = 1; length < s.items.length; length += 1) {
      yield {
        prefix: { session: s.id, items: s.items.slice(0, length), time: s.times[length - 1]! },
        next: s.items[length]!,
      };
    }
  }
}

export function countPrefixes(test: readonly LoggedSession[]): number {
  return test.reduce((sum, s) => sum + s.items.length - 1, 0);
}

export function evaluate(
  test: readonly LoggedSession[],
  predict: Predictor,
  cutoff = 20,
  onProgress?: (done: number, total: number) => void,
): Evaluation {
  const total = countPrefixes(test);
  const ranks: number[] = [];
  const timings: number[] = [];
  for (const { prefix, next } of prefixesOf(test)) {
    const started = performance.now();
    const ranked = predict(prefix);
    timings.push((performance.now() - started) * 1000);
    ranks.push(rankOf(ranked, next, cutoff));
    if (ranks.length % 500 === 0) onProgress?.(ranks.length, total);
  }
  return { ...accuracyOf(ranks), scoreUsP50: timings.length === 0 ? Number.NaN : percentile(timings, 50) };
}
