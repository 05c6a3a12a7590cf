/**
 * The offset this process last stored for each of its partitions: the floor
 * below which the store's offset must never be found.
 *
 * A stored offset only moves forward while its partition is this process's
 * (./apply.ts guards it), so finding it lower means the store lost writes
 * with their offset: a Redis master failed over to a replica behind it, or
 * restarted from an AOF without its last second. The stage then goes back to
 * the stored offset and Kafka replays what was lost (./unapplied.ts). Without
 * the floor, such a loss is seen only when a batch begins past the stored
 * offset, which a compacted topic's holes hide, a partition with no new
 * records never shows, and a lost first offset (none stored at all) cannot.
 */
import { StoreBehindLogError } from './store-behind.js';

export class AppliedOffsets {
  private readonly next = new Map<string, { topic: string; partition: number; offset: bigint }>();

  /** A batch of the partition applied: the store's offset is now at least `offset`. */
  stored(topic: string, partition: number, offset: bigint): void {
    const id = key(topic, partition);
    const known = this.next.get(id);
    if (known === undefined || offset > known.offset) this.next.set(id, { topic, partition, offset });
  }

  floor(topic: string, partition: number): bigint | undefined {
    return this.next.get(key(topic, partition))?.offset;
  }

  /** The partition goes back to what is stored (a loss found, a failed batch, a rebalance): no floor until it applies again. */
  forget(topic: string, partition: number): void {
    this.next.delete(key(topic, partition));
  }

  forgetAll(): void {
    this.next.clear();
  }

  /** Every floor as of now: what a check of the stored offsets compares them with, read before it asks the store. */
  snapshot(): { topic: string; partition: number; offset: bigint }[] {
    return [...this.next.values()].map((entry) => ({ ...entry }));
  }
}

/** Throws StoreBehindLogError when the store's offset (`stored`, null for none) is below the floor this process stored. */
export function assertNotRolledBack(stored: string | null, at: { topic: string; partition: number; appliedUpTo?: bigint | undefined }): void {
  if (at.appliedUpTo === undefined) return;
  const found = stored === null ? null : BigInt(stored);
  if (found === null || found < at.appliedUpTo) throw new StoreBehindLogError(at.topic, at.partition, found, at.appliedUpTo);
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
