/**
 * One session as the stage keeps it in its Redis hash: core's open session
 * (the same fold the edge's VisitorDO keeps), and the bookkeeping of its
 * snapshots. `version` counts the events folded in; a snapshot records the
 * version it showed, so activity after it is visible without a dirty flag
 * that a late writer could clear.
 */
import { isOpenSession, type OpenSession } from '@sessionflow/core';

export const SESSION_FIELDS = Object.freeze({
  state: 'state',
  anonymousId: 'anonymousId',
  version: 'version',
  lastSnapshotAt: 'lastSnapshotAt',
  snapshotVersion: 'snapshotVersion',
  closedAt: 'closedAt',
  countedFor: 'countedFor',
  /** The device class of its events and the traffic source of its landing page view (read by the console's reads only). */
  device: 'device',
  source: 'source',
  /** What the edge decided for it (decided.ts). */
  decided: 'decided',
});

/** The fields read back, in this order, by `readStoredSession`. */
export const STORED_SESSION_FIELDS: readonly string[] = [
  SESSION_FIELDS.state,
  SESSION_FIELDS.anonymousId,
  SESSION_FIELDS.version,
  SESSION_FIELDS.lastSnapshotAt,
  SESSION_FIELDS.snapshotVersion,
  SESSION_FIELDS.closedAt,
  SESSION_FIELDS.countedFor,
];

export interface StoredSession {
  state: OpenSession;
  anonymousId: string;
  /** Events folded in so far. */
  version: number;
  /** Wall-clock ms of the latest snapshot acknowledged by Kafka. */
  lastSnapshotAt?: number;
  /** The version that snapshot showed. */
  snapshotVersion?: number;
  /** Wall-clock ms of the closing snapshot, while no later event reopened the session. */
  closedAt?: number;
  /**
   * The profile (ref) its first closing was counted for: a session reopened by
   * a late event and closed again counts for the same one, in the same
   * partition, where `baselineCounted` finds it counted (../baseline/), even
   * if its device was linked to a user in between.
   */
  countedFor?: string;
}

/** The session from its hash's `STORED_SESSION_FIELDS` values; null when absent or not of this shape. */
export function readStoredSession(values: readonly (string | null | undefined)[]): StoredSession | null {
  const [state, anonymousId, version, lastSnapshotAt, snapshotVersion, closedAt, countedFor] = values;
  if (typeof state !== 'string' || typeof anonymousId !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(state);
  } catch {
    return null;
  }
  if (!isOpenSession(parsed)) return null;
  const stored: StoredSession = { state: parsed, anonymousId, version: count(version) ?? 0 };
  const snapshotAt = count(lastSnapshotAt);
  const shown = count(snapshotVersion);
  const closed = count(closedAt);
  if (snapshotAt !== undefined) stored.lastSnapshotAt = snapshotAt;
  if (shown !== undefined) stored.snapshotVersion = shown;
  if (closed !== undefined) stored.closedAt = closed;
  if (typeof countedFor === 'string' && countedFor !== '') stored.countedFor = countedFor;
  return stored;
}

function count(value: string | null | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
