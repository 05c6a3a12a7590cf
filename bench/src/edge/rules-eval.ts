/**
 * One evaluation of core's demo rules, in-process in Node: `decide(DEMO_RULES, …)`
 * against the signals of a realistic open session (about 30 events of a
 * simulated shopper folded with `foldEvents` in batches of 5, ten seconds
 * apart, then `signalsOf`), the context the visitor object builds (page,
 * last product viewed, experiment variant) and nothing shown yet, so every
 * rule is eligible. One evaluation takes a few microseconds, close to what a
 * single pair of `performance.now()` calls can resolve and cost, so batches of
 * evaluations are timed and each batch gives one sample: its time divided by
 * its size. The figure is the median of those samples.
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { DEMO_RULES, decide, foldEvents, signalsOf, type OpenSession } from '@sessionflow/core';
import { progress } from '../progress.js';
import { percentile } from '../stats.js';
import { SimulatedVisitor } from './visitors.js';

export interface RulesEvalOptions {
  /** Evaluations per timed batch. */
  evaluationsPerBatch: number;
  batches: number;
  warmupEvaluations: number;
  sessionEvents: number;
}

export interface RulesEvalResult {
  /** Median over batches of (batch time / batch size), µs. */
  p50Us: number;
  p99Us: number;
  evaluations: number;
  /** The smallest step performance.now() was seen to take here, µs. */
  timerGrainUs: number;
  /** `signalsOf` on the same session, median µs per call (timed the same way), for scale. */
  signalsP50Us: number;
  session: { events: number; productViews: number; topCategory: string; topCategoryShare: number; cartItems: number };
  actions: string[];
}

/** The smallest non-zero difference between consecutive performance.now() readings. */
function timerGrainUs(): number {
  let grain = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10_000; i++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    grain = Math.min(grain, b - a);
  }
  return grain * 1000;
}

/** ~30 events of one shopper, folded as the edge would: batches of 5, ten seconds apart. */
function realisticSession(events: number, startMs: number): { session: OpenSession; nowMs: number } {
  const visitor = new SimulatedVisitor(2);
  let session: OpenSession | undefined;
  let nowMs = startMs;
  for (let folded = 0; folded < events; folded += 5) {
    nowMs += 10_000;
    session = foldEvents(session, visitor.next(Math.min(5, events - folded)), nowMs, () => randomUUID());
  }
  if (session === undefined) throw new Error('no session: fold at least one event');
  return { session, nowMs };
}

/** Per-call µs samples of `work`, one per batch of `batchSize` calls. */
function timeBatches(work: () => number, batchSize: number, batches: number, onBatch?: (done: number) => void): { samples: number[]; sink: number } {
  const samples: number[] = [];
  let sink = 0;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < batchSize; i++) sink += work();
    samples.push(((performance.now() - t0) * 1000) / batchSize);
    onBatch?.(b + 1);
  }
  return { samples, sink };
}

export function rulesEval(o: RulesEvalOptions): RulesEvalResult {
  const grain = timerGrainUs();
  const { session, nowMs } = realisticSession(o.sessionEvents, Date.now() - 120_000);
  const decideAt = nowMs + 2_000;
  const signals = signalsOf(session, decideAt);
  const lastProduct = session.productsViewed.at(-1);
  const context = {
    signals,
    page: { url: session.lastPageUrl, path: new URL(session.lastPageUrl).pathname, productId: lastProduct?.id, category: lastProduct?.category },
    variants: { 'recs-strategy': 'similar' },
  };
  const state = { shown: {}, nowMs: decideAt };
  const evaluate = () => decide(DEMO_RULES, context, state).actions.length;

  // Warm-up: let V8 optimise the evaluator before anything is timed.
  let sink = 0;
  for (let i = 0; i < o.warmupEvaluations; i++) sink += evaluate();
  const bar = progress();
  const timed = timeBatches(evaluate, o.evaluationsPerBatch, o.batches, (done) => {
    if (done % 200 === 0) bar.update(`  rules eval: ${done}/${o.batches} batches of ${o.evaluationsPerBatch}`);
  });
  bar.done();
  const signalsTimed = timeBatches(() => signalsOf(session, decideAt).productViews, o.evaluationsPerBatch, Math.max(100, Math.floor(o.batches / 4)));
  sink += timed.sink + signalsTimed.sink;
  // The sink keeps the evaluations observable, so none of them can be optimised away.
  if (!Number.isFinite(sink)) throw new Error('unreachable');

  return {
    p50Us: percentile(timed.samples, 50),
    p99Us: percentile(timed.samples, 99),
    evaluations: o.evaluationsPerBatch * o.batches,
    timerGrainUs: grain,
    signalsP50Us: percentile(signalsTimed.samples, 50),
    session: {
      events: session.events,
      productViews: signals.productViews,
      topCategory: signals.topCategory,
      topCategoryShare: signals.topCategoryShare,
      cartItems: signals.cartItems,
    },
    actions: decide(DEMO_RULES, context, state).actions.map((a) => a.id),
  };
}
