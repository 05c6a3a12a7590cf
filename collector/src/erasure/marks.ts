/**
 * The mark of an erased person: HMAC-SHA256 (key `ERASURE_SECRET`) of a profile
 * ref (`u:<user id>` or `a:<anonymous id>`, already escaped), in hex. Every
 * writer and reader of erasure markers names them through this one function,
 * so a marker says "someone was erased at this time" without naming who:
 * only a holder of the secret who already knows the id can find its marker.
 *
 * Markers live in Redis as `<prefix>:{<topic>:<partition>}:erased:<mark>`
 * (value: the erasure time, epoch ms of the collector's clock) for
 * `erasureMarkerLifeMs` (kafka/topic-bounds.ts): a copy in every partition
 * whose stages read them (`scopes`: every partition of the events and by-user
 * topics), so a batch guards the marker in its own slot. And in the
 * compacted `<prefix>.erasures` topic (key: the mark), from which a pipeline
 * puts them back into an empty Redis (marks-follower.ts).
 */
import { createHmac } from 'node:crypto';
import { parseProfileRef } from '@sessionflow/core';
import { partitionTag } from '../store/owner.js';
export { ERASURE_MARKER_MARGIN_MS, erasureMarkerLifeMs } from '../kafka/topic-bounds.js';

/** The mark of `ref`: lowercase hex of HMAC-SHA256(secret, ref). */
export function erasureMark(secret: string, ref: string): string {
  if (parseProfileRef(ref) === undefined) throw new TypeError('an erasure mark is made of a profile ref (u:<user id> or a:<anonymous id>, escaped), got something else');
  return createHmac('sha256', secret).update(ref).digest('hex');
}

/** What a mark looks like: 64 hex digits. */
export const MARK_PATTERN = /^[0-9a-f]{64}$/;

/** The markers' keys in one topic-partition's slot. */
export interface MarkKeys {
  /** The Redis key of a profile ref's marker. */
  key(ref: string): string;
  /** The Redis key of a marker known by its mark (a record of the `erasures` topic). */
  keyOfMark(mark: string): string;
}

export interface ErasureMarks {
  /** The mark of a profile ref. */
  mark(ref: string): string;
  /** The markers' keys in the slot of `partition` of `topic`. */
  at(topic: string, partition: number): MarkKeys;
  /** The Redis key of the record of a user's unfinished erasure (its devices and sessions), named by the user's mark. */
  pendingKey(ref: string): string;
}

/** Refs marked at once stay remembered up to this many, so a busy stage does not hash the same ids batch after batch. */
const REMEMBERED_MARKS = 20_000;

export function erasureMarks(prefix: string, secret: string): ErasureMarks {
  const remembered = new Map<string, string>();
  const mark = (ref: string): string => {
    let value = remembered.get(ref);
    if (value === undefined) {
      value = erasureMark(secret, ref);
      if (remembered.size >= REMEMBERED_MARKS) remembered.clear();
      remembered.set(ref, value);
    }
    return value;
  };
  const at = (topic: string, partition: number): MarkKeys => {
    const p = `${prefix}:${partitionTag(topic, partition)}:erased:`;
    const keyOfMark = (value: string): string => {
      if (!MARK_PATTERN.test(value)) throw new TypeError('an erasure marker key needs a mark (64 hex digits)');
      return `${p}${value}`;
    };
    return { key: (ref) => keyOfMark(mark(ref)), keyOfMark };
  };
  return { mark, at, pendingKey: (ref) => `${prefix}:erasure:pending:${mark(ref)}` };
}
