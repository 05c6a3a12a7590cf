/**
 * How far a partition is known to be applied, in wall-clock time: "every
 * record the partition held at time T is applied". The ticker compares idle
 * time with T rather than with now, so a session is closed only when no
 * event of it can still be waiting unconsumed in Kafka.
 *
 * Each tick reads the partition's high watermark (at time `at`) and then the
 * stage's stored next offset. Applied up to the watermark: T = at. Otherwise
 * the watermark is kept as pending and, once the stored offset passes it,
 * T becomes its time. Under steady traffic T trails now by about a tick.
 */

export interface PartitionProgress {
  through?: number;
  pending?: { high: bigint; at: number };
}

/** `applied`: the stage's next offset to apply (the partition's earliest offset when it has stored none); `high`: the high watermark read at `at`. */
export function advanceProgress(progress: PartitionProgress, applied: bigint, high: bigint, at: number): PartitionProgress {
  if (applied >= high) return { through: at };
  const { pending } = progress;
  if (pending !== undefined && applied >= pending.high) return { through: pending.at, pending: { high, at } };
  // An older pending watermark is kept until reached, else a lag longer than a tick would never let T move.
  return pending !== undefined ? progress : { ...progress, pending: { high, at } };
}
