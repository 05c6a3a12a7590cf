/**
 * The sessions stage's Redis keys, apart from the aggregates stage's: both
 * consume the events topic, each with its own offsets and its own memory of
 * counted event ids. Every key starts with the deployment's topic prefix.
 */
import { identityKeys } from '../../store/identity-keys.js';

export interface SessionKeys {
  /** Hash: the session's fold and snapshot bookkeeping (fields in stored.ts). */
  session(sessionId: string): string;
  /** Sorted set: session id → epoch ms of its latest activity; the sessions open on one partition. */
  open(topic: string, partition: number): string;
  /** Sorted set: session id → epoch ms from which its next open snapshot is due; only sessions with activity not yet snapshotted. */
  due(topic: string, partition: number): string;
  /** String: the next offset this stage applies of one topic-partition, written with the state it covers. */
  offset(topic: string, partition: number): string;
  /** String with an expiry: the event id was folded in. */
  seenEvent(eventId: string): string;
  /** Set: the session ids of one device (anonymous id), so an erasure finds sessions the profiles have not seen yet. */
  device(anonymousId: string): string;
  /** The erasure marker of a user or anonymous id (store/identity-keys.ts): events of an erased id are not folded in. */
  erased(id: string): string;
}

/** A device's session index lives as long as the longest-lived state kept per session (the recs model's, 30 days). */
export const DEVICE_SESSIONS_TTL_S = 30 * 24 * 60 * 60;

export function sessionKeys(prefix: string): SessionKeys {
  const p = `${prefix}:sessions:`;
  return {
    session: (sessionId) => `${prefix}:session:${sessionId}`,
    open: (topic, partition) => `${p}open:${topic}:${partition}`,
    due: (topic, partition) => `${p}due:${topic}:${partition}`,
    offset: (topic, partition) => `${p}offset:${topic}:${partition}`,
    seenEvent: (eventId) => `${p}seen:${eventId}`,
    device: (anonymousId) => `${p}device:${anonymousId}`,
    erased: identityKeys(prefix).erased,
  };
}
