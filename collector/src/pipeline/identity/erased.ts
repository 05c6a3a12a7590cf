/**
 * Erasure markers: `erased:<id>` holds when (collector clock) a user id or one
 * of its anonymous ids was erased. Events already in flight at that moment
 * (ingested before it, but not yet through the identity or aggregates stage)
 * must not bring the person back, so both stages drop an event whose ids are
 * marked and which was ingested at or before the mark. An event ingested
 * later is new activity (the person came back after the erasure) and counts.
 *
 * The stages WATCH the marker keys they read: an erasure landing between their
 * read and their EXEC refuses the transaction, and the batch is planned again.
 */
import type { StoreClient } from '../../store/client.js';
import type { IdentityKeys } from '../../store/identity-keys.js';
import type { ByUserEvent } from './records.js';

/** Erasure markers last long enough to cover any backlog a stage may still be working through. */
export const ERASURE_MARKER_TTL_S = 30 * 24 * 60 * 60;

/** Id → erasure time (epoch ms). */
export type ErasureMarks = ReadonlyMap<string, number>;

/** The ids an event belongs to: its device, its user id, and the canonical id it was re-keyed to. */
export function idsOf(event: ByUserEvent): string[] {
  const ids = [event.anonymousId];
  if (event.userId !== undefined) ids.push(event.userId);
  if (event.canonicalId !== undefined) ids.push(event.canonicalId);
  return ids;
}

/** True when one of the event's ids was erased at or after the collector took the event in. */
export function isErased(event: ByUserEvent, marks: ErasureMarks): boolean {
  if (marks.size === 0) return false;
  // An event without ingest metadata cannot be placed in time: treat it as in flight.
  const ingestedAt = typeof event.ingest?.ingestedAt === 'number' ? event.ingest.ingestedAt : Number.NEGATIVE_INFINITY;
  return idsOf(event).some((id) => {
    const at = marks.get(id);
    return at !== undefined && ingestedAt <= at;
  });
}

/** WATCHes and reads the markers of `ids` (on the caller's connection, inside its optimistic transaction). */
export async function watchErasureMarks(redis: StoreClient, keys: Pick<IdentityKeys, 'erased'>, ids: Iterable<string>): Promise<Map<string, number>> {
  const unique = [...new Set(ids)];
  const marks = new Map<string, number>();
  if (unique.length === 0) return marks;
  const markerKeys = unique.map((id) => keys.erased(id));
  await redis.watch(markerKeys);
  const values = await redis.mGet(markerKeys);
  unique.forEach((id, i) => {
    const value = values[i];
    if (typeof value === 'string' && Number.isFinite(Number(value))) marks.set(id, Number(value));
  });
  return marks;
}

/** The ids among `ids` that carry an erasure marker now (no WATCH: a check after a send). */
export async function erasedNow(redis: StoreClient, keys: IdentityKeys, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const values = await redis.mGet(ids.map((id) => keys.erased(id)));
  return new Set(ids.filter((_, i) => values[i] !== null));
}
