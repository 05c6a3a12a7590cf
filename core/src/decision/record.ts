/**
 * The `sf.events` record of a decision: keyed by the anonymous id, like the
 * device's events, so it is ordered with them and owned by the same
 * partition. `type: "decision"` sets it apart from every event type; a stage
 * that does not use decisions skips it (`isDecisionRecord`).
 */
import type { IngestMeta, EncodedRecord } from '../event/record.js';
import type { Decided } from './decided.js';

export const DECISION_RECORD_TYPE = 'decision' as const;

export type DecisionRecord = Decided & {
  type: typeof DECISION_RECORD_TYPE;
  anonymousId: string;
  /** The session the edge stamped on the batch the decision was made for. */
  sessionId: string;
  ingest: IngestMeta;
};

export function encodeDecisionRecord(decided: Decided, owner: { anonymousId: string; sessionId: string }, meta: IngestMeta): EncodedRecord {
  const record: DecisionRecord = { type: DECISION_RECORD_TYPE, anonymousId: owner.anonymousId, sessionId: owner.sessionId, ...decided, ingest: meta };
  return { key: owner.anonymousId, value: JSON.stringify(record) };
}

/** Whether a parsed `sf.events` value is a decision record (whatever else it holds). */
export function isDecisionRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === DECISION_RECORD_TYPE;
}
