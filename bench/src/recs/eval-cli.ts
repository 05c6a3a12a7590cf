/**
 * `npm run eval:recs -- --train FILE [--test FILE] [--tune]`: offline evaluation of the
 * recommendation scoring the pipeline runs (core's `recommend`), against a historical popularity
 * baseline in the same run. Prints the figures and writes bench/results/recs.json.
 * `--tune` instead searches the hyper-parameters on a validation split of the training part.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RECS_OPTIONS } from '@sessionflow/core';
import { progress } from '../progress.js';
import { printResult, writeResult, type SuiteResult } from '../results.js';
import { round } from '../stats.js';
import { wilson } from './interval.js';
import { countPrefixes, evaluate } from './evaluate.js';
import { popularityPredictor, sessionKnnPredictor, trainedReader } from './model.js';
import { splitGiven, splitSingle, type Split } from './protocol.js';
import { readSessionLog, SessionLogError } from './session-log.js';
import { describeOptions, grid, tune, type Trial } from './tune.js';

const CUTOFF = 20;
/** Weeks of the training part held out in turn when tuning. */
const TUNING_FOLDS = 4;
const USAGE = 'usage: npm run eval:recs -- --train FILE [--test FILE] [--tune]';

function main(): void {
  let args;
  try {
    args = parseArgs({
      options: { train: { type: 'string' }, test: { type: 'string' }, tune: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (args.train === undefined) fail(`--train FILE is required\n${USAGE}`);

  const split = load(args.train, args.test);
  console.log(
    `${split.train.length} training sessions, ${split.test.length} test sessions ` +
      `(${countPrefixes(split.test)} prefixes; ${split.counts.testViewsSkipped} test views of items unseen in training skipped)`,
  );
  if (args.tune) return runTuning(split);

  const line = progress();
  const reader = trainedReader(split.train);
  const options = DEFAULT_RECS_OPTIONS;
  const knn = evaluate(split.test, sessionKnnPredictor(reader, options), CUTOFF, (done, total) =>
    line.update(`recs: ${done}/${total} prefixes scored`),
  );
  line.done();
  const popular = evaluate(split.test, popularityPredictor(split.train, CUTOFF), CUTOFF);

  const result: SuiteResult = {
    suite: 'recs',
    figures: {
      'recs.hr_at_20': { value: round(knn.hitRate, 4), unit: 'ratio' },
      'recs.mrr_at_20': { value: round(knn.mrr, 4), unit: 'ratio' },
      'recs.popularity_hr_at_20': { value: round(popular.hitRate, 4), unit: 'ratio' },
      'recs.lift_over_popularity': {
        value: popular.hitRate === 0 ? Number.NaN : round(knn.hitRate / popular.hitRate, 2),
        unit: 'ratio',
      },
      'recs.score_us_p50': { value: round(knn.scoreUsP50, 1), unit: 'µs' },
    },
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
      hits: knn.hits,
      popularityHits: popular.hits,
      // Few test predictions make wide intervals: quote them with the figures.
      hrAt20Interval95: wilson(knn.hits, knn.predictions),
      popularityHrAt20Interval95: wilson(popular.hits, popular.predictions),
      popularityMrrAt20: round(popular.mrr, 4),
      method: describeOptions(options),
      options: { ...options, recencyHalfLifeMs: String(options.recencyHalfLifeMs), neighbourPositionDecay: String(options.neighbourPositionDecay), prefixWeighting: String(options.prefixWeighting) },
      scoring: 'core recommend() over the in-memory state that core applyRecsChange built from the training sessions; timed per prediction',
    },
  };
  printResult(result);
  const [low, high] = wilson(knn.hits, knn.predictions);
  const [popLow, popHigh] = wilson(popular.hits, popular.predictions);
  console.log(`  (${knn.predictions} predictions; 95% intervals: HR@20 ${low}–${high}, popularity ${popLow}–${popHigh})`);
  console.log(`  → ${writeResult(result)}`);
}

function runTuning(split: Split): void {
  const line = progress();
  const trials = grid();
  const tuned = tune(split.train, trials, TUNING_FOLDS, (done, total) => line.update(`tuning: ${done}/${total} option sets`));
  line.done();
  const held = tuned.folds.map((f) => `${f.validation.length} held out after ${f.fit.length}`).join(', ');
  console.log(`validation on the last ${TUNING_FOLDS} weeks of training, one at a time (${held}); ${tuned.trials[0]?.accuracy.predictions ?? 0} predictions`);
  const show = (label: string, t: (typeof tuned.trials)[number]): void =>
    console.log(`  ${label} HR@20 ${t.accuracy.hitRate.toFixed(4)} MRR@20 ${t.accuracy.mrr.toFixed(4)}  ${describeOptions(t.options)}`);
  tuned.trials.slice(0, 15).forEach((t, i) => show(`#${String(i + 1).padStart(2)}`, t));
  for (const exclude of [false, true]) {
    const best = tuned.trials.find((t) => t.options.excludePrefixItems === exclude);
    if (best !== undefined) show(`best with excludePrefix=${exclude}:`, best);
  }
  console.log('  best per value of each parameter (the others free):');
  for (const [name, value] of Object.entries(marginals(tuned.trials))) console.log(`    ${name}: ${value}`);
  const current = tuned.trials.find((t) => describeOptions(t.options) === describeOptions(DEFAULT_RECS_OPTIONS));
  if (current !== undefined) show('the defaults:', current);
}

/** For each parameter, the best HR@20 / MRR@20 reached with each of its values. */
function marginals(trials: readonly Trial[]): Record<string, string> {
  const keys = ['sampleSize', 'neighbours', 'prefixWeighting', 'similarity', 'recencyHalfLifeMs', 'neighbourPositionDecay', 'excludePrefixItems'] as const;
  const out: Record<string, string> = {};
  for (const key of keys) {
    const best = new Map<string, Trial>();
    for (const t of trials) {
      const raw = t.options[key];
      const value = key === 'recencyHalfLifeMs' && Number.isFinite(raw) ? `${(raw as number) / 86_400_000}d` : String(raw);
      if (!best.has(value)) best.set(value, t); // trials come best first
    }
    out[key] = [...best].map(([v, t]) => `${v} ${t.accuracy.hitRate.toFixed(3)}/${t.accuracy.mrr.toFixed(3)}`).join(', ');
  }
  return out;
}

function load(trainFile: string, testFile: string | undefined): Split {
  try {
    const train = readSessionLog(trainFile);
    if (testFile === undefined) return splitSingle(train.views);
    return splitGiven(train.views, readSessionLog(testFile).views);
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
