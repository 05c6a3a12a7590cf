/**
 * Next-item recommendations for an open session: neighbours' votes, blended with the visitor's
 * category affinities, never an excluded item (out of stock, the product on screen), topped up
 * from popularity in the session's category and then overall when the neighbours give too few.
 */
import { byScoreThenItem } from './memory-state.js';
import { nearestNeighbours } from './neighbours.js';
import { DEFAULT_RECS_OPTIONS, type RecsOptions } from './options.js';
import { kthLargest } from './select.js';
import type { Recommendation, RecsStateReader, ScoredItem } from './types.js';

export interface RecsContext {
  /** ms; what neighbours' recency is measured against. */
  readonly nowMs: number;
  /** The open session's id, when the state already holds it: it must not be its own neighbour. */
  readonly session?: string;
  /** True for items never to offer (out of stock, the product on screen). */
  readonly exclude?: (item: string) => boolean;
  readonly categoryOf?: (item: string) => string | undefined;
  /** The profile's category affinities (any non-negative scale). */
  readonly affinities?: Readonly<Record<string, number>>;
  /** The category the page shows, for the fallback; else the category of the prefix's last item. */
  readonly category?: string;
}

/** Popular items read beyond n for the fallback, so exclusions and items already chosen can be skipped. */
const FALLBACK_SLACK = 50;

export function recommend(
  reader: RecsStateReader,
  prefix: readonly string[],
  context: RecsContext,
  options: RecsOptions = DEFAULT_RECS_OPTIONS,
): Recommendation[] {
  const inPrefix = new Set(prefix);
  const allowed = (item: string): boolean =>
    !(options.excludePrefixItems && inPrefix.has(item)) && !(context.exclude?.(item) ?? false);

  const tally = tallyVotes(reader, prefix, context, options, allowed);
  const chosen = bestVotes(tally, context, options);
  const result: Recommendation[] = chosen.map((s) => ({ ...s, source: 'session' }));
  if (result.length >= options.n) return result;

  const taken = new Set(result.map((r) => r.item));
  const last = prefix.at(-1);
  const category = context.category ?? (last === undefined ? undefined : context.categoryOf?.(last));
  const limit = options.n + prefix.length + FALLBACK_SLACK;
  if (category !== undefined) fill(result, taken, reader.popular(limit, category), 'category', options.n, allowed);
  fill(result, taken, reader.popular(limit), 'popular', options.n, allowed);
  return result;
}

/** Each item's summed votes from the nearest neighbours, scaled so the best is 1, best first. */
export function sessionVotes(
  reader: RecsStateReader,
  prefix: readonly string[],
  context: Pick<RecsContext, 'nowMs' | 'session'>,
  options: RecsOptions,
  allowed: (item: string) => boolean = () => true,
): ScoredItem[] {
  const { items, scores } = tallyVotes(reader, prefix, context, options, allowed);
  const best = largest(scores);
  return items.map((item, i) => ({ item, score: scores[i]! / best })).sort(byScoreThenItem);
}

/** The items voted for and their summed votes, side by side (no object per item: a call tallies hundreds). */
interface Tally {
  readonly items: string[];
  readonly scores: number[];
}

function tallyVotes(
  reader: RecsStateReader,
  prefix: readonly string[],
  context: Pick<RecsContext, 'nowMs' | 'session'>,
  options: RecsOptions,
  allowed: (item: string) => boolean,
): Tally {
  const tally: Tally = { items: [], scores: [] };
  if (prefix.length === 0) return tally;
  const indexOf = new Map<string, number>();
  /** The last neighbour that voted for each item, so an item a neighbour holds twice votes once. */
  const votedBy: number[] = [];
  const vote = (item: string, amount: number, neighbour: number): void => {
    const index = indexOf.get(item);
    if (index === undefined) {
      if (!allowed(item)) return;
      indexOf.set(item, tally.items.length);
      tally.items.push(item);
      tally.scores.push(amount);
      votedBy.push(neighbour);
    } else if (votedBy[index] !== neighbour) {
      tally.scores[index]! += amount;
      votedBy[index] = neighbour;
    }
  };
  // e^(−gap/λ3) as a running product: one multiplication per position instead of an exp.
  const perPosition = Number.isFinite(options.neighbourPositionDecay) ? Math.exp(-1 / options.neighbourPositionDecay) : 1;
  const anchorDecay = options.anchorPositionDecay;
  const neighbours = nearestNeighbours(reader, prefix, context.nowMs, context.session, options);
  for (let n = 0; n < neighbours.length; n += 1) {
    const { record, anchor, anchorDistance, weight } = neighbours[n]!;
    // V-STAN: a neighbour met through an older prefix item votes less.
    let amount = Number.isFinite(anchorDecay) ? weight * Math.exp(-anchorDistance / anchorDecay) : weight;
    const items = record.items;
    // Outwards from the anchor, so an item the neighbour holds twice votes at its nearest position.
    for (let gap = 0; ; gap += 1) {
      const after = anchor + gap;
      const before = anchor - gap;
      if (after >= items.length && before < 0) break;
      if (after < items.length) vote(items[after]!, amount, n);
      if (gap > 0 && before >= 0) vote(items[before]!, amount, n);
      amount *= perPosition;
    }
  }
  return tally;
}

/**
 * The n best of a tally, scaled so the best vote is 1 and blended with the affinities. Only the
 * items that can still reach the top n are sorted: those within the blend's largest lift of the
 * n-th best vote.
 */
function bestVotes(tally: Tally, context: RecsContext, options: RecsOptions): ScoredItem[] {
  const { items, scores } = tally;
  const best = largest(scores);
  let threshold = Number.NEGATIVE_INFINITY;
  if (items.length > options.n && options.n > 0) {
    const lift = blends(context, options.affinityWeight) ? Math.max(0, options.affinityWeight) : 0;
    threshold = kthLargest(new Float64Array(scores), options.n) / best - lift;
  }
  const kept: ScoredItem[] = [];
  for (let i = 0; i < items.length; i += 1) {
    const score = scores[i]! / best;
    if (score >= threshold) kept.push({ item: items[i]!, score });
  }
  return blendAffinities(kept.sort(byScoreThenItem), context, options.affinityWeight).slice(0, options.n);
}

/** The largest score, or 1 when none is positive (a vote decayed to nothing), so scaling never divides by 0. */
function largest(scores: readonly number[]): number {
  let best = 0;
  for (const score of scores) if (score > best) best = score;
  return best > 0 ? best : 1;
}

function blends(context: Pick<RecsContext, 'affinities' | 'categoryOf'>, weight: number): boolean {
  return weight !== 0 && context.affinities !== undefined && context.categoryOf !== undefined && Object.values(context.affinities).some((a) => a > 0);
}

/** Adds weight × the item's category affinity (the strongest category scaled to 1) to each score. */
export function blendAffinities(
  scored: readonly ScoredItem[],
  context: Pick<RecsContext, 'affinities' | 'categoryOf'>,
  weight: number,
): ScoredItem[] {
  const { affinities, categoryOf } = context;
  if (weight === 0 || affinities === undefined || categoryOf === undefined) return [...scored];
  const strongest = Math.max(0, ...Object.values(affinities));
  if (strongest <= 0) return [...scored];
  return scored
    .map(({ item, score }) => {
      const category = categoryOf(item);
      const affinity = category === undefined ? 0 : (affinities[category] ?? 0) / strongest;
      return { item, score: score + weight * affinity };
    })
    .sort(byScoreThenItem);
}

function fill(
  result: Recommendation[],
  taken: Set<string>,
  popular: readonly ScoredItem[],
  source: 'category' | 'popular',
  n: number,
  allowed: (item: string) => boolean,
): void {
  for (const { item, score } of popular) {
    if (result.length >= n) return;
    if (taken.has(item) || !allowed(item)) continue;
    taken.add(item);
    result.push({ item, score, source });
  }
}
