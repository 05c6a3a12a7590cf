/**
 * The sessions stage's Redis keys, apart from the aggregates stage's: both
 * consume the events topic, each with its own offsets and its own memory of
 * counted event ids. Every key starts with the deployment's topic prefix and
 * the tag of the events partition that owns it (../../store/owner.ts): a
 * session is its device's, and a device's events all reach one partition.
 */
import { devicePart, keyPart } from '../../store/key-parts.js';
import { partitionTag } from '../../store/owner.js';

export interface SessionKeys {
  /** Hash: the session's fold and snapshot bookkeeping (fields in stored.ts). */
  session(sessionId: string): string;
  /** Sorted set: session id → epoch ms of its latest activity; the sessions open on this partition (trimmed to the session TTL). */
  open: string;
  /** Sorted set: session id → epoch ms from which its next open snapshot is due; only sessions with activity not yet snapshotted. */
  due: string;
  /** String: the next offset this stage applies of this partition, written with the state it covers. */
  offset: string;
  /** String with an expiry: the event id was folded in. */
  seenEvent(eventId: string): string;
  /**
   * Sorted set: the session ids of one device (anonymous id) → their latest
   * activity, so an erasure finds sessions the profiles have not seen yet; the
   * most recent kept (store/bounds.ts).
   */
  device(anonymousId: string): string;
  /** String with an expiry: the decision id was kept (its rule fire counted). */
  seenDecision(decisionId: string): string;
  /** Hash: rule id → decisions of it made in the minute (ISO, `2026-12-02T09:41`) by the devices of this partition. */
  ruleFires(minute: string): string;
}

/** The sessions stage's keys that `partition` of the events topic owns: the sessions of its devices. */
export function sessionKeys(prefix: string, eventsTopic: string, partition: number): SessionKeys {
  const tagged = `${prefix}:${partitionTag(eventsTopic, partition)}:`;
  const p = `${tagged}sessions:`;
  return {
    session: (sessionId) => `${tagged}session:${keyPart(sessionId)}`,
    open: `${p}open`,
    due: `${p}due`,
    offset: `${p}offset`,
    seenEvent: (eventId) => `${p}seen:${keyPart(eventId)}`,
    device: (anonymousId) => `${p}device:${devicePart(anonymousId)}`,
    seenDecision: (decisionId) => `${p}seen-decision:${keyPart(decisionId)}`,
    ruleFires: (minute) => `${tagged}rollup:rule-fires:${minute}`,
  };
}
