/**
 * Session-based nearest neighbours (V-SKNN, Ludewig & Jannach 2018; STAN, Garg et al. 2019):
 * which past sessions resemble the current prefix, and how much.
 */
import type { RecsOptions } from './options.js';
import { recentSample } from './sample.js';
import { kthLargest } from './select.js';
import type { RecsStateReader, SessionRecord } from './types.js';

export interface Neighbour {
  readonly id: string;
  readonly record: SessionRecord;
  /** Similarity to the prefix, recency decay included: the weight of this neighbour's votes. */
  readonly weight: number;
  /** Where in the neighbour the prefix's most recent shared item sits (STAN's i*). */
  readonly anchor: number;
  /** How far from the end of the prefix that item sits (0: the last item): V-STAN weighs the votes by it. */
  readonly anchorDistance: number;
}

type NeighbourOptions = Pick<
  RecsOptions,
  'sampleSize' | 'neighbours' | 'prefixWeighting' | 'similarity' | 'recencyHalfLifeMs'
>;

/** A distinct prefix item: its weight, its distance from the end (by its last position), and the candidate that last counted it. */
interface PrefixItem {
  readonly weight: number;
  readonly distance: number;
  countedBy: number;
}

/** Each distinct prefix item's weight, by its last position in the prefix (STAN's factor 1, V-SKNN's linear decay). */
export function prefixWeights(prefix: readonly string[], weighting: RecsOptions['prefixWeighting']): Map<string, number> {
  const weights = new Map<string, number>();
  for (const [item, { weight }] of prefixItems(prefix, weighting)) weights.set(item, weight);
  return weights;
}

function prefixItems(prefix: readonly string[], weighting: RecsOptions['prefixWeighting']): Map<string, PrefixItem> {
  const items = new Map<string, PrefixItem>();
  const length = prefix.length;
  for (let position = 0; position < length; position += 1) {
    const distance = length - 1 - position;
    const weight = weighting === 'linear' ? (length - distance) / length : Math.exp(-distance / weighting);
    items.set(prefix[position]!, { weight, distance, countedBy: -1 });
  }
  return items;
}

/** The m most recent sessions sharing at least one item with the prefix, never the current session itself (sample.ts). */
export function candidateSessions(
  reader: RecsStateReader,
  prefixItems: Iterable<string>,
  sampleSize: number,
  self: string | undefined,
): { id: string; record: SessionRecord }[] {
  const lists: (readonly string[])[] = [];
  for (const item of prefixItems) lists.push(reader.sessionsWithItem(item, sampleSize));
  return recentSample(lists, (id) => reader.session(id), sampleSize, self);
}

export function nearestNeighbours(
  reader: RecsStateReader,
  prefix: readonly string[],
  nowMs: number,
  self: string | undefined,
  options: NeighbourOptions,
): Neighbour[] {
  const items = prefixItems(prefix, options.prefixWeighting);
  const decays = Number.isFinite(options.recencyHalfLifeMs);
  const scored: Neighbour[] = [];
  const candidates = candidateSessions(reader, items.keys(), options.sampleSize, self);
  for (let c = 0; c < candidates.length; c += 1) {
    const { id, record } = candidates[c]!;
    const sequence = record.items;
    let overlap = 0;
    let anchor = -1;
    let anchorDistance = Number.POSITIVE_INFINITY;
    for (let position = 0; position < sequence.length; position += 1) {
      const shared = items.get(sequence[position]!);
      if (shared === undefined) continue;
      // A repeated item counts once towards the overlap.
      if (shared.countedBy !== c) {
        shared.countedBy = c;
        overlap += shared.weight;
      }
      // STAN's i*: the prefix's most recent item the neighbour holds, at its last position there.
      if (shared.distance <= anchorDistance) {
        anchorDistance = shared.distance;
        anchor = position;
      }
    }
    if (overlap <= 0) continue;
    let similarity = overlap;
    if (options.similarity === 'cosine') similarity /= Math.sqrt(items.size * new Set(sequence).size);
    if (decays) similarity *= 2 ** (-Math.max(0, nowMs - record.time) / options.recencyHalfLifeMs);
    scored.push({ id, record, weight: similarity, anchor, anchorDistance });
  }
  return mostSimilar(scored, options.neighbours);
}

/** The k most similar, best first (then the more recent, then by id): a numeric cut first, so only those near the top are sorted. */
function mostSimilar(scored: Neighbour[], k: number): Neighbour[] {
  if (scored.length > k && k > 0) {
    const weights = new Float64Array(scored.length);
    for (let i = 0; i < scored.length; i += 1) weights[i] = scored[i]!.weight;
    const cut = kthLargest(weights, k);
    scored = scored.filter((n) => n.weight >= cut);
  }
  scored.sort(byWeight);
  return scored.slice(0, Math.max(0, k));
}

function byWeight(a: Neighbour, b: Neighbour): number {
  return b.weight - a.weight || b.record.time - a.record.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
