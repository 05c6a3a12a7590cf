/**
 * Erasure markers as records of the compacted `<prefix>.erasures` topic: key
 * the mark (marks.ts: an HMAC of the ref, never the ref), value
 * `{"erasedAt": <epoch ms>}`. Compaction keeps the latest erasure of each mark;
 * the topic's retention outlives the marker's life (kafka/topic-bounds.ts), so
 * a pipeline that starts on an empty Redis puts every marker still in force
 * back from it (marks-follower.ts).
 */
import type { KeyedRecord } from '../pipeline/identity/records.js';
import { MARK_PATTERN } from './marks.js';

export interface MarkRecord {
  mark: string;
  /** Epoch ms (collector clock) of the erasure. */
  erasedAt: number;
}

export function markRecords(topic: string, marks: readonly MarkRecord[]): KeyedRecord[] {
  return marks.map(({ mark, erasedAt }) => ({ topic, key: mark, value: JSON.stringify({ erasedAt }) }));
}

/** A record of the topic as a marker, or null when it is none (a tombstone, another key, another value). */
export function readMarkRecord(key: string | null, value: string | null): MarkRecord | null {
  if (key === null || value === null || !MARK_PATTERN.test(key)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  const erasedAt = typeof parsed === 'object' && parsed !== null ? (parsed as { erasedAt?: unknown }).erasedAt : undefined;
  return typeof erasedAt === 'number' && Number.isSafeInteger(erasedAt) && erasedAt > 0 ? { mark: key, erasedAt } : null;
}
