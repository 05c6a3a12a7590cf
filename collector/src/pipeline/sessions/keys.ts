/**
 * The sessions stage's Redis keys, apart from the aggregates stage's: both
 * consume the events topic, each with its own offsets and its own memory of
 * counted event ids. Every key starts with the deployment's topic prefix.
 */
import { devicePart, keyPart } from '../../store/key-parts.js';

export interface SessionKeys {
  /** Hash: the session's fold and snapshot bookkeeping (fields in stored.ts). */
  session(sessionId: string): string;
  /** Sorted set: session id → epoch ms of its latest activity; the sessions open on one partition (trimmed to the session TTL). */
  open(topic: string, partition: number): string;
  /** Sorted set: session id → epoch ms from which its next open snapshot is due; only sessions with activity not yet snapshotted. */
  due(topic: string, partition: number): string;
  /** String: the next offset this stage applies of one topic-partition, written with the state it covers. */
  offset(topic: string, partition: number): string;
  /** String with an expiry: the event id was folded in. */
  seenEvent(eventId: string): string;
  /**
   * Sorted set: the session ids of one device (anonymous id) → their latest
   * activity, so an erasure finds sessions the profiles have not seen yet; the
   * most recent kept (store/bounds.ts).
   */
  device(anonymousId: string): string;
}

export function sessionKeys(prefix: string): SessionKeys {
  const p = `${prefix}:sessions:`;
  return {
    session: (sessionId) => `${prefix}:session:${keyPart(sessionId)}`,
    open: (topic, partition) => `${p}open:${keyPart(topic)}:${partition}`,
    due: (topic, partition) => `${p}due:${keyPart(topic)}:${partition}`,
    offset: (topic, partition) => `${p}offset:${keyPart(topic)}:${partition}`,
    seenEvent: (eventId) => `${p}seen:${keyPart(eventId)}`,
    device: (anonymousId) => `${p}device:${devicePart(anonymousId)}`,
  };
}
