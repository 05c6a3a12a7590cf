/** A store found behind what it had applied: it lost writes with their offset, and Kafka must replay them (./unapplied.ts, ./applied-offsets.ts). */
export class StoreBehindLogError extends Error {
  constructor(
    readonly topic: string,
    readonly partition: number,
    /** What the store holds; null when it lost the partition's offset altogether. */
    readonly stored: bigint | null,
    /** The offset the store should have reached: the batch's first, or the one this process stored last. */
    readonly expected: bigint,
  ) {
    super(
      `${topic} partition ${partition}: the store's offset is ${stored ?? 'gone'} but should be at least ${expected}: ` +
        `the store lost writes (a Redis failover or a restart without its last writes), so the partition goes back to ${stored === null ? 'its earliest record' : `offset ${stored}`}; ` +
        `if this repeats, Kafka no longer holds those records (retention) and deleting the stored offset accepts their loss`,
    );
    this.name = 'StoreBehindLogError';
  }

  /** Where the partition must start again: the stored offset, or Kafka's earliest when none is left (0 is out of range there, and the consumer starts from the beginning). */
  get resumeFrom(): string {
    return String(this.stored ?? 0n);
  }
}
