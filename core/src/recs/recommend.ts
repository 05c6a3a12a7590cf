/**
 * Next-item recommendations for an open session: neighbours' votes, blended with the visitor's
 * category affinities, never an excluded item (out of stock, the product on screen), topped up
 * from popularity in the session's category and then overall when the neighbours give too few.
 */
import { byScoreThenItem } from './memory-state.js';
import { nearestNeighbours } from './neighbours.js';
import { DEFAULT_RECS_OPTIONS, type RecsOptions } from './options.js';
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

  const votes = sessionVotes(reader, prefix, context, options, allowed);
  const chosen = blendAffinities(votes, context, options.affinityWeight).slice(0, options.n);
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
  if (prefix.length === 0) return [];
  const votes = new Map<string, Vote>();
  const positionDecay = options.neighbourPositionDecay;
  const anchorDecay = options.anchorPositionDecay;
  const neighbours = nearestNeighbours(reader, prefix, context.nowMs, context.session, options);
  for (let n = 0; n < neighbours.length; n += 1) {
    const { record, anchor, anchorDistance } = neighbours[n]!;
    // V-STAN: a neighbour met through an older prefix item votes less.
    const weight = Number.isFinite(anchorDecay) ? neighbours[n]!.weight * Math.exp(-anchorDistance / anchorDecay) : neighbours[n]!.weight;
    const items = record.items;
    // Outwards from the anchor, so an item the neighbour holds twice votes once, at its nearest position.
    for (let gap = 0; gap < items.length; gap += 1) {
      const after = anchor + gap;
      const before = anchor - gap;
      if (after >= items.length && before < 0) break;
      const vote = Number.isFinite(positionDecay) ? weight * Math.exp(-gap / positionDecay) : weight;
      if (after < items.length) castVote(votes, items[after]!, vote, n, allowed);
      if (gap > 0 && before >= 0) castVote(votes, items[before]!, vote, n, allowed);
    }
  }
  let best = 0;
  for (const { score } of votes.values()) best = Math.max(best, score);
  const scored: ScoredItem[] = [];
  for (const [item, { score }] of votes) scored.push({ item, score: score / best });
  return scored.sort(byScoreThenItem);
}

interface Vote {
  score: number;
  /** The last neighbour that voted for the item. */
  votedBy: number;
}

function castVote(votes: Map<string, Vote>, item: string, vote: number, neighbour: number, allowed: (item: string) => boolean): void {
  const known = votes.get(item);
  if (known === undefined) {
    if (allowed(item)) votes.set(item, { score: vote, votedBy: neighbour });
  } else if (known.votedBy !== neighbour) {
    known.score += vote;
    known.votedBy = neighbour;
  }
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
