/**
 * Time at each degradation level, per part. The collector's and the
 * pipeline's (and the edge's, if it exports one) from their /metrics gauge
 * read every second; the edge's also from the `x-sf-level` header of its
 * collect answers: each second counts at the worst level an answer in it was
 * decided at, an answer without the header counting as `full` (nothing said
 * about degrading) while the seconds it made are reported as `header absent`.
 * A part that exports no gauge is `absent`, one whose /metrics did not answer
 * within the second `unanswered`: neither is given a level. Pure.
 */
import { isLevel, levelRank, type Level } from '@sessionflow/core';
import { ABSENT } from '../shoppers/tally.js';

export type LevelTime = Partial<Record<Level | 'absent' | 'unanswered' | 'no_answers' | 'unrecognised', number>>;

/** Seconds at each level from one reading per `periodS` (`absent`: the gauge was not there; `unanswered`: /metrics did not answer in time). */
export function timeAtLevels(readings: ReadonlyArray<Level | 'unanswered' | undefined>, periodS = 1): LevelTime {
  const out: LevelTime = {};
  for (const reading of readings) {
    const key = reading ?? 'absent';
    out[key] = (out[key] ?? 0) + periodS;
  }
  return out;
}

export interface EdgeHeaderTime {
  time: LevelTime;
  /** Seconds whose answers carried no `x-sf-level` at all (counted at `full` in `time`). */
  headerAbsentS: number;
}

/** The edge's time at each level from the levels its 200 answers carried, per whole second `from` ≤ s < `to`. */
export function edgeTimeFromHeaders(levelsBySecond: ReadonlyMap<number, Readonly<Record<string, number>>>, from: number, to: number): EdgeHeaderTime {
  const time: LevelTime = {};
  let headerAbsentS = 0;
  const add = (key: keyof LevelTime) => (time[key] = (time[key] ?? 0) + 1);
  for (let s = from; s < to; s += 1) {
    const seen = levelsBySecond.get(s);
    if (!seen || Object.keys(seen).length === 0) {
      add('no_answers');
      continue;
    }
    const values = Object.keys(seen);
    if (values.every((v) => v === ABSENT)) headerAbsentS += 1;
    if (values.some((v) => v !== ABSENT && !isLevel(v))) {
      add('unrecognised');
      continue;
    }
    const levels = values.map((v) => (v === ABSENT ? 'full' : (v as Level)));
    add(levels.reduce((a, b) => (levelRank(b) > levelRank(a) ? b : a)));
  }
  return { time, headerAbsentS };
}

/** Share of 200 answers decided below `full` (an absent header counts as `full`). */
export function degradedShare(okByLevel: Readonly<Record<string, number>>): number {
  const total = Object.values(okByLevel).reduce((a, b) => a + b, 0);
  if (total === 0) return Number.NaN;
  const degraded = Object.entries(okByLevel).filter(([level]) => level !== 'full' && level !== ABSENT).reduce((a, [, n]) => a + n, 0);
  return degraded / total;
}
