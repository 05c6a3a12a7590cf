/**
 * Session-based nearest neighbours (V-SKNN, Ludewig & Jannach 2018; STAN, Garg et al. 2019):
 * which past sessions resemble the current prefix, and how much.
 */
import type { RecsOptions } from './options.js';
import type { RecsStateReader, SessionRecord } from './types.js';

export interface Neighbour {
  readonly id: string;
  readonly record: SessionRecord;
  /** Similarity to the prefix, recency decay included: the weight of this neighbour's votes. */
  readonly weight: number;
  /** Where in the neighbour the prefix's most recent shared item sits (STAN's anchor). */
  readonly anchor: number;
}

type NeighbourOptions = Pick<
  RecsOptions,
  'sampleSize' | 'neighbours' | 'prefixWeighting' | 'similarity' | 'recencyHalfLifeMs'
>;

/** Each distinct prefix item's weight, by its last position in the prefix. */
export function prefixWeights(prefix: readonly string[], weighting: RecsOptions['prefixWeighting']): Map<string, number> {
  const weights = new Map<string, number>();
  const length = prefix.length;
  prefix.forEach((item, position) => {
    const distance = length - 1 - position;
    const weight = weighting === 'linear' ? (length - distance) / length : Math.exp(-distance / weighting);
    weights.set(item, weight);
  });
  return weights;
}

/** The m most recent sessions sharing at least one item with the prefix, never the current session itself. */
export function candidateSessions(
  reader: RecsStateReader,
  prefixItems: Iterable<string>,
  sampleSize: number,
  self: string | undefined,
): { id: string; record: SessionRecord }[] {
  const found = new Map<string, SessionRecord>();
  for (const item of prefixItems) {
    for (const id of reader.sessionsWithItem(item, sampleSize)) {
      if (id === self || found.has(id)) continue;
      const record = reader.session(id);
      if (record !== undefined) found.set(id, record);
    }
  }
  const candidates = [...found].map(([id, record]) => ({ id, record }));
  candidates.sort((a, b) => b.record.time - a.record.time || compareIds(a.id, b.id));
  return candidates.slice(0, sampleSize);
}

export function nearestNeighbours(
  reader: RecsStateReader,
  prefix: readonly string[],
  nowMs: number,
  self: string | undefined,
  options: NeighbourOptions,
): Neighbour[] {
  const weights = prefixWeights(prefix, options.prefixWeighting);
  const scored: Neighbour[] = [];
  for (const { id, record } of candidateSessions(reader, weights.keys(), options.sampleSize, self)) {
    let overlap = 0;
    let anchor = -1;
    let anchorWeight = -1;
    const counted = new Set<string>();
    record.items.forEach((item, position) => {
      const weight = weights.get(item);
      if (weight === undefined) return;
      // A repeated item counts once towards the overlap; its last position is the anchor.
      if (!counted.has(item)) {
        counted.add(item);
        overlap += weight;
      }
      if (weight >= anchorWeight) {
        anchorWeight = weight;
        anchor = position;
      }
    });
    if (overlap <= 0) continue;
    let similarity = overlap;
    if (options.similarity === 'cosine') similarity /= Math.sqrt(weights.size * new Set(record.items).size);
    if (Number.isFinite(options.recencyHalfLifeMs)) {
      similarity *= 2 ** (-Math.max(0, nowMs - record.time) / options.recencyHalfLifeMs);
    }
    scored.push({ id, record, weight: similarity, anchor });
  }
  scored.sort((a, b) => b.weight - a.weight || b.record.time - a.record.time || compareIds(a.id, b.id));
  return scored.slice(0, options.neighbours);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
