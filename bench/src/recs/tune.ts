/**
 * Hyper-parameter search on validation splits carved from the training part only, rolling
 * origin: each of the last `folds` weeks of the training sessions is held out in turn (and
 * filtered like a test set) while the model learns from the days before it; the predictions of
 * all folds are pooled. One week of a small sample holds too few predictions to choose between
 * option sets, several weeks fewer wrong choices. The test set is never looked at here.
 *
 * The search is a coordinate descent, from plain V-SKNN and from the current defaults: one
 * parameter at a time (in an order the seed shuffles), every value of it tried with the others
 * held, the best kept, until a round changes nothing. The sample size m is not searched: on the sample it never binds (its candidate
 * sets are smaller), so it is chosen for cost by the scaling run, with its quality checked there.
 */
import { DEFAULT_RECS_OPTIONS, seededRandom, VSKNN_OPTIONS, type RecsOptions } from '@sessionflow/core';
import { evaluate, type Accuracy } from './evaluate.js';
import { sessionKnnPredictor, trainedReader } from './model.js';
import { TEST_DAYS, testOnTrainItems, type LoggedSession } from './protocol.js';

const DAY_MS = 86_400_000;
const INF = Number.POSITIVE_INFINITY;

export interface Trial {
  readonly options: RecsOptions;
  readonly accuracy: Accuracy;
}

export interface Fold {
  readonly fit: LoggedSession[];
  readonly validation: LoggedSession[];
}

/** The values tried for each parameter searched: V-SKNN's, STAN's and V-STAN's, around their published defaults. */
export const SEARCH_SPACE = {
  neighbours: [50, 100, 200, 500],
  prefixWeighting: ['linear', 0.25, 0.5, 1, 2, 4, INF],
  similarity: ['dot', 'cosine'],
  recencyHalfLifeMs: [INF, 90 * DAY_MS, 30 * DAY_MS, 7 * DAY_MS, DAY_MS],
  neighbourPositionDecay: [INF, 0.25, 0.5, 1, 2, 4],
  anchorPositionDecay: [INF, 0.25, 0.5, 1, 2, 4],
  excludePrefixItems: [false, true],
} as const satisfies { readonly [K in keyof RecsOptions]?: readonly RecsOptions[K][] };

type Searched = keyof typeof SEARCH_SPACE;

/** Fold f (0 = the latest) holds out the days (last − days·(f+1), last − days·f] and learns from the days before. */
export function validationFolds(train: readonly LoggedSession[], folds: number, days = TEST_DAYS): Fold[] {
  const lastDay = Math.max(...train.map((s) => s.day));
  return Array.from({ length: folds }, (_, f) => {
    const end = lastDay - days * f;
    const start = end - days;
    const fit = train.filter((s) => s.day <= start);
    const held = train.filter((s) => s.day > start && s.day <= end);
    return { fit, validation: testOnTrainItems(fit, held).sessions };
  });
}

/** Better on validation: HR@20 first, MRR@20 on a tie (on 300 items HR@20 often ties; the rank then decides). */
export function better(a: Accuracy, b: Accuracy): boolean {
  return a.hitRate > b.hitRate || (a.hitRate === b.hitRate && a.mrr > b.mrr);
}

export interface Search {
  /** Where each descent started, and where it ended. */
  readonly descents: { readonly start: Trial; readonly end: Trial; readonly moves: string[]; readonly rounds: number }[];
  readonly best: Trial;
  /** Every option set tried, in the order tried. */
  readonly trials: Trial[];
  readonly folds: Fold[];
}

/**
 * A coordinate descent from each of `starts` (plain V-SKNN and the current defaults, by default),
 * the best end kept. Deterministic for a given seed.
 */
export function coordinateSearch(
  train: readonly LoggedSession[],
  folds: number,
  seed: number,
  starts: readonly RecsOptions[] = [VSKNN_OPTIONS, DEFAULT_RECS_OPTIONS],
  onProgress?: (tried: number) => void,
  maxRounds = 5,
): Search {
  const split = validationFolds(train, folds);
  const readers = split.map((fold) => trainedReader(fold.fit));
  const tried = new Map<string, Trial>();
  const trials: Trial[] = [];
  const measure = (options: RecsOptions): Trial => {
    const key = describeOptions(options);
    const known = tried.get(key);
    if (known !== undefined) return known;
    const trial = { options, accuracy: pooled(split, readers, options) };
    tried.set(key, trial);
    trials.push(trial);
    onProgress?.(trials.length);
    return trial;
  };

  const random = seededRandom(seed);
  const descents = starts.map((options) => {
    const start = measure(options);
    let end = start;
    const moves: string[] = [];
    let rounds = 0;
    for (let changed = true; changed && rounds < maxRounds; ) {
      changed = false;
      rounds += 1;
      for (const name of shuffled(Object.keys(SEARCH_SPACE) as Searched[], random)) {
        for (const value of SEARCH_SPACE[name]) {
          const trial = measure({ ...end.options, [name]: value } as RecsOptions);
          if (better(trial.accuracy, end.accuracy)) {
            moves.push(`${name} → ${name === 'recencyHalfLifeMs' && Number.isFinite(value) ? `${(value as number) / DAY_MS}d` : String(value)}: HR@20 ${fixed(trial.accuracy.hitRate)} MRR@20 ${fixed(trial.accuracy.mrr)}`);
            end = trial;
            changed = true;
          }
        }
      }
    }
    return { start, end, moves, rounds };
  });
  const best = descents.map((d) => d.end).reduce((a, b) => (better(b.accuracy, a.accuracy) ? b : a));
  return { descents, best, trials, folds: split };
}

/** HR@20 and MRR@20 over every fold's predictions together. */
export function pooled(split: readonly Fold[], readers: readonly ReturnType<typeof trainedReader>[], options: RecsOptions): Accuracy {
  let predictions = 0;
  let hits = 0;
  let reciprocal = 0;
  split.forEach((fold, f) => {
    const result = evaluate(fold.validation, sessionKnnPredictor(readers[f]!, options));
    predictions += result.predictions;
    hits += result.hits;
    reciprocal += result.mrr * result.predictions;
  });
  return { predictions, hits, hitRate: predictions === 0 ? 0 : hits / predictions, mrr: predictions === 0 ? 0 : reciprocal / predictions };
}

/** One line per option set, for the tuning report. */
export function describeOptions(o: RecsOptions): string {
  const ms = (v: number): string => (Number.isFinite(v) ? `${v / DAY_MS}d` : 'off');
  const decay = (v: number): string => (Number.isFinite(v) ? String(v) : 'off');
  return (
    `m=${o.sampleSize} k=${o.neighbours} prefix=${o.prefixWeighting === 'linear' ? 'linear' : `exp λ${o.prefixWeighting}`} ` +
    `${o.similarity} recency=${ms(o.recencyHalfLifeMs)} λ3=${decay(o.neighbourPositionDecay)} λipw=${decay(o.anchorPositionDecay)} ` +
    `excludePrefix=${o.excludePrefixItems}`
  );
}

function shuffled<T>(values: readonly T[], random: () => number): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function fixed(x: number): string {
  return x.toFixed(4);
}
