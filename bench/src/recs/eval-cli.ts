/**
 * `npm run eval:recs -- --train FILE [--test FILE] [--tune [--seed N]] [--scale SIZES|none] [--scale-prefixes N]`:
 * offline evaluation of the recommendation scoring the pipeline runs (core's `recommend`), in one
 * run: the tuned defaults against plain V-SKNN and a historical popularity baseline on the test
 * set, the defaults with and without the bound on the neighbour sample, and the scorer's cost on
 * synthetic histories of 10,000 to 1,000,000 sessions shaped like the training file (scaling.ts).
 * Prints the figures and writes bench/results/recs.json.
 * `--tune` instead searches the hyper-parameters on a validation split of the training part.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RECS_OPTIONS, VSKNN_OPTIONS, type RecsOptions } from '@sessionflow/core';
import { progress } from '../progress.js';
import { printResult, writeResult, type Figure, type SuiteResult } from '../results.js';
import { round } from '../stats.js';
import { wilson } from './interval.js';
import { countPrefixes, evaluate, type Evaluation } from './evaluate.js';
import { popularityPredictor, sessionKnnPredictor, trainedReader } from './model.js';
import { sessionsOf, splitGiven, splitSingle, type Split } from './protocol.js';
import { measureScaling, type ScalingStep } from './scaling.js';
import { readSessionLog, SessionLogError, type View } from './session-log.js';
import { fitShape, shapeStats } from './synthetic.js';
import { coordinateSearch, describeOptions } from './tune.js';

const CUTOFF = 20;
/** Weeks of the training part held out in turn when tuning. */
const TUNING_FOLDS = 4;
const DEFAULT_SCALE = [10_000, 100_000, 1_000_000];
/** The scaling state's per-item cap: the previous default sample size, so the unsampled reference reads as much as before. */
const SCALING_SESSIONS_PER_ITEM = 1000;
const USAGE =
  'usage: npm run eval:recs -- --train FILE [--test FILE] [--tune [--seed N]] [--scale 10000,100000,1000000|none] [--scale-prefixes N]';

function main(): void {
  let args;
  try {
    args = parseArgs({
      options: {
        train: { type: 'string' },
        test: { type: 'string' },
        tune: { type: 'boolean', default: false },
        seed: { type: 'string', default: '15' },
        scale: { type: 'string' },
        'scale-prefixes': { type: 'string', default: '2000' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (args.train === undefined) fail(`--train FILE is required\n${USAGE}`);
  const seed = integer(args.seed, '--seed', 0);
  const scale = args.scale === undefined ? DEFAULT_SCALE : args.scale === 'none' ? [] : args.scale.split(',').map((v) => integer(v.trim(), '--scale', 1));
  const scalePrefixes = integer(args['scale-prefixes'], '--scale-prefixes', 1);

  const { split, views } = load(args.train, args.test);
  console.log(
    `${split.train.length} training sessions, ${split.test.length} test sessions ` +
      `(${countPrefixes(split.test)} prefixes; ${split.counts.testViewsSkipped} test views of items unseen in training skipped)`,
  );
  if (args.tune) return runTuning(split, seed);

  const line = progress();
  const reader = trainedReader(split.train);
  const run = (label: string, options: RecsOptions): Evaluation => {
    const result = evaluate(split.test, sessionKnnPredictor(reader, options), CUTOFF, (done, total) => line.update(`recs: ${label}: ${done}/${total} prefixes scored`));
    line.update(`recs: ${label}: scored`);
    return result;
  };
  const options = DEFAULT_RECS_OPTIONS;
  // The same state and test prefixes for all three, so their differences are the options' alone.
  const vsknn = run('plain V-SKNN', VSKNN_OPTIONS);
  const unsampled = run('defaults without the sample bound', { ...options, sampleSize: Number.POSITIVE_INFINITY });
  const knn = run('defaults', options);
  const popular = evaluate(split.test, popularityPredictor(split.train, CUTOFF), CUTOFF);

  // The scaling run's histories are shaped like the whole log, one-view sessions included: they are history too.
  const shape = scale.length === 0 ? undefined : fitShape(sessionsOf(views), seed);
  const steps: ScalingStep[] =
    shape === undefined
      ? []
      : measureScaling(
          shape,
          {
            sizes: scale,
            prefixes: scalePrefixes,
            warmup: Math.min(200, scalePrefixes),
            sessionsPerItem: SCALING_SESSIONS_PER_ITEM,
            options: { defaults: options, unsampled: { ...options, sampleSize: Number.POSITIVE_INFINITY } },
            seed,
          },
          (text) => line.update(text),
        );
  line.done();

  const figures: Record<string, Figure> = {
    'recs.hr_at_20': { value: round(knn.hitRate, 4), unit: 'ratio' },
    'recs.mrr_at_20': { value: round(knn.mrr, 4), unit: 'ratio' },
    'recs.vsknn_hr_at_20': { value: round(vsknn.hitRate, 4), unit: 'ratio' },
    'recs.vsknn_mrr_at_20': { value: round(vsknn.mrr, 4), unit: 'ratio' },
    'recs.unsampled_hr_at_20': { value: round(unsampled.hitRate, 4), unit: 'ratio' },
    'recs.sampling_hr_change': { value: unsampled.hitRate === 0 ? Number.NaN : round((knn.hitRate / unsampled.hitRate - 1) * 100, 2), unit: '%' },
    'recs.popularity_hr_at_20': { value: round(popular.hitRate, 4), unit: 'ratio' },
    'recs.lift_over_popularity': {
      value: popular.hitRate === 0 ? Number.NaN : round(knn.hitRate / popular.hitRate, 2),
      unit: 'ratio',
    },
    'recs.score_us_p50': { value: round(knn.scoreUsP50, 1), unit: 'µs' },
    'recs.vsknn_score_us_p50': { value: round(vsknn.scoreUsP50, 1), unit: 'µs' },
  };
  for (const step of steps) {
    figures[`recs.score_us_p50_at_${step.sessions}`] = { value: round(step.scoreUs.defaults!.p50, 1), unit: 'µs' };
    figures[`recs.state_bytes_at_${step.sessions}`] = { value: step.stateBytes, unit: 'bytes' };
  }
  for (const step of steps) {
    figures[`recs.unsampled_score_us_p50_at_${step.sessions}`] = { value: round(step.scoreUs.unsampled!.p50, 1), unit: 'µs' };
  }

  const result: SuiteResult = {
    suite: 'recs',
    figures,
    context: {
      node: process.version,
      train: path.basename(args.train),
      test: args.test === undefined ? `the last 7 days of ${path.basename(args.train)}` : path.basename(args.test),
      protocol:
        args.test === undefined
          ? 'one file: sessions of 1 view dropped, items viewed < 5 times dropped, sessions left < 2 dropped; sessions ending in the last 7 days (by eventdate) are the test set; test views of items unseen in training skipped, test sessions left < 2 dropped'
          : 'two files as given; test views of items unseen in training skipped, test sessions left < 2 dropped',
      counts: { ...split.counts, predictions: knn.predictions },
      ...(split.counts.firstTestDay === undefined
        ? {}
        : { testDays: [isoDay(split.counts.firstTestDay), isoDay(split.counts.lastDay ?? split.counts.firstTestDay)] }),
      hits: { defaults: knn.hits, vsknn: vsknn.hits, unsampled: unsampled.hits, popularity: popular.hits },
      // Few test predictions make wide intervals: quote them with the figures.
      hrAt20Interval95: wilson(knn.hits, knn.predictions),
      vsknnHrAt20Interval95: wilson(vsknn.hits, vsknn.predictions),
      popularityHrAt20Interval95: wilson(popular.hits, popular.predictions),
      popularityMrrAt20: round(popular.mrr, 4),
      method: describeOptions(options),
      baseline: describeOptions(VSKNN_OPTIONS),
      options: printable(options),
      scoring: 'core recommend() over the in-memory state that core applyRecsChange built from the training sessions; timed per prediction',
      ...(shape === undefined
        ? {}
        : {
            scaling: {
              shape: { ...shape, lengths: `${shape.lengths.length - 1} lengths`, fittedOn: shapeStats(sessionsOf(views)) },
              sessionsPerItem: SCALING_SESSIONS_PER_ITEM,
              gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
              steps,
            },
          }),
    },
  };
  printResult(result);
  const [low, high] = wilson(knn.hits, knn.predictions);
  const [vLow, vHigh] = wilson(vsknn.hits, vsknn.predictions);
  const [popLow, popHigh] = wilson(popular.hits, popular.predictions);
  console.log(
    `  (${knn.predictions} predictions; 95% intervals: HR@20 ${low}–${high}, V-SKNN ${vLow}–${vHigh}, popularity ${popLow}–${popHigh})`,
  );
  for (const step of steps) {
    console.log(
      `  (${step.sessions.toLocaleString('en-US')} sessions: ${step.items.toLocaleString('en-US')} items, ${step.listEntries.toLocaleString('en-US')} list entries, ` +
        `built in ${step.buildSeconds.toFixed(1)} s; p99 ${step.scoreUs.defaults!.p99.toFixed(0)} µs (unsampled ${step.scoreUs.unsampled!.p99.toFixed(0)}); ` +
        `synthetic HR@20 ${step.hitRate.defaults!.toFixed(3)} (unsampled ${step.hitRate.unsampled!.toFixed(3)}) over ${step.prefixes} prefixes)`,
    );
  }
  if (steps.length > 0 && typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    console.log('  (state bytes without --expose-gc: heap growth, garbage included; `npm run eval:recs` passes the flag)');
  }
  console.log(`  → ${writeResult(result)}`);
}

function runTuning(split: Split, seed: number): void {
  const line = progress();
  const search = coordinateSearch(split.train, TUNING_FOLDS, seed, undefined, (tried) => line.update(`tuning: ${tried} option sets tried`));
  line.done();
  const held = search.folds.map((f) => `${f.validation.length} held out after ${f.fit.length}`).join(', ');
  console.log(
    `validation on the last ${TUNING_FOLDS} weeks of training, one at a time (${held}); ${search.best.accuracy.predictions} predictions; ` +
      `coordinate descents, seed ${seed}: ${search.trials.length} option sets tried`,
  );
  const show = (label: string, t: (typeof search.trials)[number]): void =>
    console.log(`  ${label} HR@20 ${t.accuracy.hitRate.toFixed(4)} MRR@20 ${t.accuracy.mrr.toFixed(4)}  ${describeOptions(t.options)}`);
  search.descents.forEach((d, i) => {
    show(`descent ${i + 1} from`, d.start);
    for (const move of d.moves) console.log(`    ${move}`);
    show(`  ended after ${d.rounds} rounds at`, d.end);
  });
  show('best:', search.best);
  const ranked = [...search.trials].sort((a, b) => b.accuracy.hitRate - a.accuracy.hitRate || b.accuracy.mrr - a.accuracy.mrr);
  ranked.slice(0, 10).forEach((t, i) => show(`#${String(i + 1).padStart(2)}`, t));
}

function printable(options: RecsOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? String(v) : v]));
}

function integer(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`${name}: expected an integer ≥ ${min}, got ${JSON.stringify(value)}\n${USAGE}`);
  return n;
}

function load(trainFile: string, testFile: string | undefined): { split: Split; views: View[] } {
  try {
    const train = readSessionLog(trainFile);
    if (testFile === undefined) return { split: splitSingle(train.views), views: train.views };
    return { split: splitGiven(train.views, readSessionLog(testFile).views), views: train.views };
  } catch (error) {
    if (error instanceof SessionLogError) fail(error.message);
    throw error;
  }
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function fail(message: string): never {
  console.error(`eval:recs: ${message}`);
  process.exit(2);
}

main();
