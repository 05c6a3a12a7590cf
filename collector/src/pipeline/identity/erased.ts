/**
 * Erasure markers: `erased:<ref>` holds when (collector clock) a user (`u:…`)
 * or one of its devices (`a:…`) was erased. Events already in flight at that moment
 * (ingested before it, but not yet through the identity or aggregates stage)
 * must not bring the person back, so both stages drop an event whose ids are
 * marked and which was ingested at or before the mark. An event ingested
 * later is new activity (the person came back after the erasure) and counts.
 *
 * The stages guard the marker keys they read (store/guarded-batch.ts): an
 * erasure landing between their read and their script refuses the batch, and
 * it is planned again.
 */
import { deviceRef, userRef } from '@sessionflow/core';
import type { StoreClient } from '../../store/client.js';
import type { IdentityKeys } from '../../store/identity-keys.js';
import type { ByUserEvent } from './records.js';

/** Erasure markers last long enough to cover any backlog a stage may still be working through. */
export const ERASURE_MARKER_TTL_S = 30 * 24 * 60 * 60;

/** Profile ref → erasure time (epoch ms). */
export type ErasureMarks = ReadonlyMap<string, number>;

/** The profiles an event belongs to, by ref: its device, its user id, and the canonical profile it was re-keyed to. */
export function refsOf(event: ByUserEvent): string[] {
  const refs = [deviceRef(event.anonymousId)];
  if (event.userId !== undefined) refs.push(userRef(event.userId));
  if (event.canonicalId !== undefined && !refs.includes(event.canonicalId)) refs.push(event.canonicalId);
  return refs;
}

/** True when one of the event's ids was erased at or after the collector took the event in. */
export function isErased(event: ByUserEvent, marks: ErasureMarks): boolean {
  if (marks.size === 0) return false;
  // An event without ingest metadata cannot be placed in time: treat it as in flight.
  const ingestedAt = typeof event.ingest?.ingestedAt === 'number' ? event.ingest.ingestedAt : Number.NEGATIVE_INFINITY;
  return refsOf(event).some((ref) => {
    const at = marks.get(ref);
    return at !== undefined && ingestedAt <= at;
  });
}

/** The profile refs among `refs` that carry an erasure marker now (a check after a send). */
export async function erasedNow(redis: StoreClient, keys: Pick<IdentityKeys, 'erased'>, refs: readonly string[]): Promise<Set<string>> {
  if (refs.length === 0) return new Set();
  const values = await redis.mGet(refs.map((ref) => keys.erased(ref)));
  return new Set(refs.filter((_, i) => values[i] !== null));
}
