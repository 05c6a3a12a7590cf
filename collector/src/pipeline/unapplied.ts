/**
 * The records of a batch the store has not applied yet: those at or past the
 * partition's stored offset.
 *
 * The event topics (`events`, `events.by-user`) are never compacted and no
 * producer of them is transactional, so their offsets have no holes: a batch
 * that begins past the stored offset means the store lost writes that its
 * offset had covered, with the offset itself (a Redis failover to a replica
 * a few writes behind, a restart from an AOF without its last second). State
 * and offset were written by one script, so they rolled back together; going
 * on would skip the records in between for good. The batch is refused
 * instead: its stage stops the partition and seeks it back to the stored
 * offset (./partition-stops.ts), and Kafka delivers the lost records again.
 * The stage also remembers the offset it stored last (./applied-offsets.ts),
 * which catches a loss the batch's first offset cannot show.
 *
 * The same hole appears when Kafka deleted records the pipeline had not
 * applied (it stayed down longer than the topic's retention). Seeking back
 * cannot bring those back; the partition stays stopped, saying so, until an
 * operator accepts the loss by deleting the stored offset.
 */
import { assertNotRolledBack } from './applied-offsets.js';
import { StoreBehindLogError } from './store-behind.js';

/** `records` from the stored offset on (all of them when none is stored); throws StoreBehindLogError on a hole before them, or when the store went back behind what this process stored. */
export function unappliedRecords<R extends { offset: bigint }>(records: readonly R[], stored: string | null, at: { topic: string; partition: number; appliedUpTo?: bigint | undefined }): R[] {
  assertNotRolledBack(stored, at);
  if (stored === null) return [...records];
  const from = BigInt(stored);
  const first = records[0];
  if (first !== undefined && first.offset > from) throw new StoreBehindLogError(at.topic, at.partition, from, first.offset);
  return records.filter((r) => r.offset >= from);
}
