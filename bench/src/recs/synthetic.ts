/**
 * Synthetic session histories shaped like a real log, for measuring the scorer at sizes the sample
 * does not reach. The shape is fitted from the log (`fitShape`), never its ids:
 * - session length: the log's own distribution of views per session;
 * - catalogue: a shop's catalogue does not grow with its traffic, so every history has the same
 *   number of items: the log's estimate of it, Chao1 = seen + f1² / (2·f2) (f1, f2: items viewed
 *   once, twice), since a sample of sessions sees only part of the shop. Sizes that grow with the
 *   history (a Heaps' law fitted on the sample grows almost linearly, β ≈ 0.9, because the sample
 *   is a thin slice) would leave the item lists short and the scorer idle: a fixed catalogue is
 *   the harder case, where the popular items' lists are full;
 * - item popularity: Zipf over that catalogue, p(rank r) ∝ r^(−α), α calibrated so that a history
 *   of the log's size sees as many distinct items as the log does;
 * - repeats: the share of views (after a session's first) that return to an item the session viewed;
 * - co-occurrence: each item has `RELATED_ITEMS` related items (drawn by popularity, fixed per item);
 *   a view moves to one of the current item's related items with probability `localShare`, else to
 *   any item by popularity. `localShare` is calibrated so that a history of the log's size recurs
 *   pairs as the log does (the share of consecutive pairs of distinct items seen in another session
 *   too).
 * Sessions arrive evenly over the log's time span, whatever their number: a busier shop over the
 * same months, so the recency decay sees the same ages.
 */
import { seededRandom } from '@sessionflow/core';
import type { LoggedSession } from './protocol.js';

/** Related items per item: few, so a related move lands on a neighbourhood other sessions share. */
export const RELATED_ITEMS = 4;
const VIEW_GAP_MS = 60_000;
const DAY_MS = 86_400_000;

export interface HistoryShape {
  /** lengths[l] = how many sessions of the log had l views (index 0 unused). */
  readonly lengths: readonly number[];
  /** Items in the catalogue, whatever the history's size. */
  readonly catalogue: number;
  readonly zipfExponent: number;
  readonly repeatShare: number;
  readonly localShare: number;
  /** The log's first and last view, ms. */
  readonly startMs: number;
  readonly spanMs: number;
}

export interface SyntheticSession {
  readonly id: string;
  readonly items: readonly string[];
  readonly times: readonly number[];
}

/** Fits the shape on a log's sessions (all of them: one-view sessions are part of a history). */
export function fitShape(sessions: readonly LoggedSession[], seed = 1): HistoryShape {
  if (sessions.length < 2) throw new Error(`fitShape: sessions: need at least 2, got ${sessions.length}`);
  const lengths: number[] = [];
  for (const s of sessions) lengths[s.items.length] = (lengths[s.items.length] ?? 0) + 1;
  for (let l = 0; l < lengths.length; l += 1) lengths[l] ??= 0;
  const stats = shapeStats(sessions);
  const startMs = Math.min(...sessions.map((s) => s.times[0]!));
  const endMs = Math.max(...sessions.map((s) => s.time));
  let shape: HistoryShape = {
    lengths,
    catalogue: Math.max(stats.items, Math.round(stats.chao1)),
    zipfExponent: stats.zipfExponent,
    repeatShare: stats.repeatShare,
    localShare: 0,
    startMs,
    spanMs: Math.max(DAY_MS, endMs - startMs),
  };
  // α and the related moves both change how many distinct items and recurring pairs a history has: fit them in turn.
  const drawn = (candidate: HistoryShape): ShapeStats => shapeStats([...syntheticSessions(candidate, sessions.length, 0, sessions.length, seed)]);
  for (let pass = 0; pass < 2; pass += 1) {
    // More skew, fewer distinct items.
    const zipfExponent = bisect(0.01, 3, (a) => drawn({ ...shape, zipfExponent: a }).items <= stats.items);
    shape = { ...shape, zipfExponent };
    const localShare = bisect(0, 1, (l) => drawn({ ...shape, localShare: l }).pairRecurrence >= stats.pairRecurrence);
    shape = { ...shape, localShare };
  }
  return shape;
}

/** The smallest x in [low, high] where `reached` turns true (it must not turn back), to 12 halvings. */
function bisect(low: number, high: number, reached: (x: number) => boolean): number {
  if (reached(low)) return low;
  if (!reached(high)) return high;
  for (let i = 0; i < 12; i += 1) {
    const middle = (low + high) / 2;
    if (reached(middle)) high = middle;
    else low = middle;
  }
  return (low + high) / 2;
}

export interface ShapeStats {
  readonly sessions: number;
  readonly views: number;
  readonly items: number;
  readonly meanLength: number;
  /** Least squares on the rank–frequency curve of the items viewed at least twice. */
  readonly zipfExponent: number;
  /** The catalogue's size as the history lets one estimate it: seen + f1² / (2·f2). */
  readonly chao1: number;
  readonly repeatShare: number;
  /** Of consecutive pairs of distinct items, the share whose pair another session holds too. */
  readonly pairRecurrence: number;
}

/** The statistics the shape is fitted on, measured on any history (the log's, or a synthetic one to check it). */
export function shapeStats(sessions: readonly { readonly items: readonly string[] }[]): ShapeStats {
  const counts = new Map<string, number>();
  let views = 0;
  let repeats = 0;
  let afterFirst = 0;
  const pairSessions = new Map<string, number>();
  const pairs: string[] = [];
  sessions.forEach((s) => {
    const seen = new Set<string>();
    const own = new Set<string>();
    s.items.forEach((item, i) => {
      counts.set(item, (counts.get(item) ?? 0) + 1);
      if (i > 0) {
        afterFirst += 1;
        if (seen.has(item)) repeats += 1;
        const previous = s.items[i - 1]!;
        if (previous !== item) {
          const pair = previous < item ? `${previous}\u0000${item}` : `${item}\u0000${previous}`;
          pairs.push(pair);
          if (!own.has(pair)) {
            own.add(pair);
            pairSessions.set(pair, (pairSessions.get(pair) ?? 0) + 1);
          }
        }
      }
      seen.add(item);
    });
    views += s.items.length;
  });
  let once = 0;
  let twice = 0;
  for (const c of counts.values()) {
    if (c === 1) once += 1;
    else if (c === 2) twice += 1;
  }
  const frequencies = [...counts.values()].filter((c) => c >= 2).sort((a, b) => b - a);
  const zipf = logLogFit(frequencies.map((c, r) => [r + 1, c]));
  return {
    sessions: sessions.length,
    views,
    items: counts.size,
    meanLength: views / Math.max(1, sessions.length),
    zipfExponent: -zipf.slope,
    chao1: counts.size + (twice > 0 ? (once * once) / (2 * twice) : (once * (once - 1)) / 2),
    repeatShare: afterFirst === 0 ? 0 : repeats / afterFirst,
    pairRecurrence: pairs.length === 0 ? 0 : pairs.filter((p) => (pairSessions.get(p) ?? 0) >= 2).length / pairs.length,
  };
}

/**
 * `count` sessions, `first` being the index of the first (so a history and the sessions that
 * follow it can be drawn apart, the same catalogue and related items for both). Seeded: the same
 * arguments give the same sessions.
 */
export function* syntheticSessions(
  shape: HistoryShape,
  historySessions: number,
  first: number,
  count: number,
  seed: number,
): Generator<SyntheticSession> {
  const catalogue = shape.catalogue;
  const cumulative = zipfCumulative(catalogue, shape.zipfExponent);
  const total = cumulative[catalogue - 1]!;
  const ids: string[] = new Array<string>(catalogue);
  const idOf = (rank: number): string => (ids[rank] ??= `i${rank.toString(36)}`);
  const lengthCumulative = cumulativeOf(shape.lengths);
  const random = seededRandom(seed ^ Math.imul(first + 1, 0x9e3779b1));
  const popular = (u: number): number => lowerBound(cumulative, u * total);
  // An item's related items are fixed by the seed and the item alone, so every session agrees on them.
  const related = (rank: number, j: number): number => popular(hashUnit(seed, rank * RELATED_ITEMS + j));
  const gapMs = shape.spanMs / Math.max(1, historySessions);

  for (let index = first; index < first + count; index += 1) {
    const length = Math.max(1, lowerBound(lengthCumulative, random() * lengthCumulative[lengthCumulative.length - 1]!));
    const ranks: number[] = [popular(random())];
    while (ranks.length < length) {
      if (random() < shape.repeatShare) {
        ranks.push(ranks[Math.floor(random() * ranks.length)]!);
        continue;
      }
      // A move that is not a repeat goes to an item the session has not viewed (a few draws), so the
      // repeats are the shape's share and not more by chance on the popular items.
      const from = ranks[ranks.length - 1]!;
      let next = from;
      for (let draw = 0; draw < 8 && ranks.includes(next); draw += 1) {
        next = random() < shape.localShare ? related(from, Math.floor(random() * RELATED_ITEMS)) : popular(random());
      }
      ranks.push(next);
    }
    const start = shape.startMs + index * gapMs;
    yield {
      id: `syn${index.toString(36)}`,
      items: ranks.map(idOf),
      times: ranks.map((_, i) => Math.round(start + i * VIEW_GAP_MS)),
    };
  }
}

function zipfCumulative(size: number, exponent: number): Float64Array {
  const cumulative = new Float64Array(size);
  let sum = 0;
  for (let r = 0; r < size; r += 1) {
    sum += (r + 1) ** -exponent;
    cumulative[r] = sum;
  }
  return cumulative;
}

function cumulativeOf(counts: readonly number[]): Float64Array {
  const cumulative = new Float64Array(counts.length);
  let sum = 0;
  counts.forEach((c, i) => {
    sum += c;
    cumulative[i] = sum;
  });
  return cumulative;
}

/** The first index whose cumulative value exceeds `value`. */
function lowerBound(cumulative: Float64Array, value: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle]! > value) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** A uniform number in [0, 1) from (seed, key): a stateless draw, the same wherever it is asked. */
function hashUnit(seed: number, key: number): number {
  let h = Math.imul(key ^ 0x85ebca6b, 0xc2b2ae35) ^ seed;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** Least squares on log y against log x. */
function logLogFit(points: readonly [number, number][]): { slope: number; intercept: number } {
  const usable = points.filter(([x, y]) => x > 0 && y > 0);
  if (usable.length < 2) return { slope: 0, intercept: 0 };
  const xs = usable.map(([x]) => Math.log(x));
  const ys = usable.map(([, y]) => Math.log(y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
