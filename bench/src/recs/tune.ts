/**
 * Hyper-parameter search on validation splits carved from the training part only, rolling
 * origin: each of the last `folds` weeks of the training sessions is held out in turn (and
 * filtered like a test set) while the model learns from the days before it; the predictions of
 * all folds are pooled. One week of a small sample holds too few predictions to choose between
 * option sets, several weeks fewer wrong choices. The test set is never looked at here.
 */
import { DEFAULT_RECS_OPTIONS, type RecsOptions } from '@sessionflow/core';
import { evaluate, type Accuracy } from './evaluate.js';
import { sessionKnnPredictor, trainedReader } from './model.js';
import { TEST_DAYS, testOnTrainItems, type LoggedSession } from './protocol.js';

const DAY_MS = 86_400_000;

export interface Trial {
  readonly options: RecsOptions;
  readonly accuracy: Accuracy;
}

export interface Fold {
  readonly fit: LoggedSession[];
  readonly validation: LoggedSession[];
}

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

/** The grid searched: V-SKNN's and STAN's parameters around their published defaults. */
export function grid(): RecsOptions[] {
  const trials: RecsOptions[] = [];
  for (const sampleSize of [250, 1000, 5000])
    for (const neighbours of [50, 100, 500])
      for (const prefixWeighting of ['linear', 0.5, 1, 3, Number.POSITIVE_INFINITY] as const)
        for (const similarity of ['dot', 'cosine'] as const)
          for (const recencyHalfLifeMs of [Number.POSITIVE_INFINITY, 90 * DAY_MS, 30 * DAY_MS, 7 * DAY_MS, DAY_MS])
            for (const neighbourPositionDecay of [Number.POSITIVE_INFINITY, 0.5, 1, 3])
              for (const excludePrefixItems of [false, true])
                trials.push({
                  ...DEFAULT_RECS_OPTIONS,
                  sampleSize,
                  neighbours,
                  prefixWeighting,
                  similarity,
                  recencyHalfLifeMs,
                  neighbourPositionDecay,
                  excludePrefixItems,
                });
  return trials;
}

/** Every option set on the validation split, best HR@20 first (MRR@20 breaks ties). */
export function tune(
  train: readonly LoggedSession[],
  trials: readonly RecsOptions[],
  folds: number,
  onProgress?: (done: number, total: number) => void,
): { trials: Trial[]; folds: Fold[] } {
  const split = validationFolds(train, folds);
  const readers = split.map((fold) => trainedReader(fold.fit));
  const results = trials.map((options, i) => {
    onProgress?.(i, trials.length);
    let predictions = 0;
    let hits = 0;
    let reciprocal = 0;
    split.forEach((fold, f) => {
      const result = evaluate(fold.validation, sessionKnnPredictor(readers[f]!, options));
      predictions += result.predictions;
      hits += result.hits;
      reciprocal += result.mrr * result.predictions;
    });
    const accuracy = { predictions, hits, hitRate: predictions === 0 ? 0 : hits / predictions, mrr: predictions === 0 ? 0 : reciprocal / predictions };
    return { options, accuracy };
  });
  results.sort((a, b) => b.accuracy.hitRate - a.accuracy.hitRate || b.accuracy.mrr - a.accuracy.mrr);
  return { trials: results, folds: split };
}

/** One line per option set, for the tuning report. */
export function describeOptions(o: RecsOptions): string {
  const ms = (v: number): string => (Number.isFinite(v) ? `${v / DAY_MS}d` : 'off');
  return (
    `m=${o.sampleSize} k=${o.neighbours} prefix=${o.prefixWeighting === 'linear' ? 'linear' : `exp λ${o.prefixWeighting}`} ` +
    `${o.similarity} recency=${ms(o.recencyHalfLifeMs)} λ3=${Number.isFinite(o.neighbourPositionDecay) ? o.neighbourPositionDecay : 'off'} ` +
    `excludePrefix=${o.excludePrefixItems}`
  );
}
