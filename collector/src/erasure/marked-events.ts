/**
 * What the stages do with erasure markers (marks.ts): a marker holds when
 * (collector clock) a user (`u:…`) or one of its devices (`a:…`) was erased.
 * Events already in flight at that moment (ingested before it, but not yet
 * through the identity, sessions or aggregates stage), and every event of the
 * person a replay from the earliest offsets meets, must not bring the person
 * back, so the stages drop an event whose ids are marked and which was
 * ingested at or before the mark. An event ingested later is new activity (the
 * person came back after the erasure) and counts.
 *
 * The stages guard the marker keys they read (store/guarded-batch.ts): an
 * erasure (or a marker put back from the `erasures` topic) landing between
 * their read and their script refuses the batch, and it is planned again.
 */
import { deviceRef, userRef } from '@sessionflow/core';
import type { StoreClient } from '../store/client.js';
import type { ByUserEvent } from '../pipeline/identity/records.js';
import type { MarkKeys } from './marks.js';

/** Profile ref → erasure time (epoch ms). */
export type ErasureTimes = ReadonlyMap<string, number>;

/** The profiles an event belongs to, by ref: its device, its user id, and the canonical profile it was re-keyed to. */
export function refsOf(event: ByUserEvent): string[] {
  const refs = [deviceRef(event.anonymousId)];
  if (event.userId !== undefined) refs.push(userRef(event.userId));
  if (event.canonicalId !== undefined && !refs.includes(event.canonicalId)) refs.push(event.canonicalId);
  return refs;
}

/** True when one of the event's ids was erased at or after the collector took the event in. */
export function isErased(event: ByUserEvent, times: ErasureTimes): boolean {
  if (times.size === 0) return false;
  // An event without ingest metadata cannot be placed in time: treat it as in flight.
  const ingestedAt = typeof event.ingest?.ingestedAt === 'number' ? event.ingest.ingestedAt : Number.NEGATIVE_INFINITY;
  return refsOf(event).some((ref) => {
    const at = times.get(ref);
    return at !== undefined && ingestedAt <= at;
  });
}

/** A marker's value as an erasure time, or undefined when it holds none. */
export function erasureTime(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const at = Number(value);
  return Number.isFinite(at) ? at : undefined;
}

/** The profile refs among `refs` that carry an erasure marker now (a check after a send). */
export async function erasedNow(redis: StoreClient, marks: Pick<MarkKeys, 'key'>, refs: readonly string[]): Promise<Set<string>> {
  if (refs.length === 0) return new Set();
  const values = await redis.mGet(refs.map((ref) => marks.key(ref)));
  return new Set(refs.filter((_, i) => values[i] !== null));
}
