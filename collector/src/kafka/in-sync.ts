/**
 * "Can Kafka take a write with acks=all now?", read from the cluster's
 * metadata: every partition the collector writes to has a leader and at least
 * `min.insync.replicas` replicas in sync. A broker refuses an acks=all write
 * to a partition short of either (LEADER_NOT_AVAILABLE, NOT_ENOUGH_REPLICAS);
 * the producer retries it without end, so without this the collector would
 * only see its requests time out, and /readyz could not say why.
 */
import type { Admin } from 'kafkajs';

export interface PartitionReplicas {
  topic: string;
  partition: number;
  /** -1 when there is none. */
  leader: number;
  isr: readonly number[];
}

/** Why a write would be refused now, naming the first partition short of a leader or of in-sync replicas (and how many more are); null when none is. */
export function inSyncShortfall(partitions: readonly PartitionReplicas[], minInsyncReplicas: number): string | null {
  const leaderless = partitions.filter((p) => p.leader < 0);
  const short = partitions.filter((p) => p.leader >= 0 && p.isr.length < minInsyncReplicas);
  const more = (n: number) => (n > 1 ? ` (and ${n - 1} more partition${n > 2 ? 's' : ''})` : '');
  const first = leaderless[0];
  if (first) return `LEADER_NOT_AVAILABLE: ${first.topic} partition ${first.partition} has no leader${more(leaderless.length)}`;
  const thin = short[0];
  if (thin) {
    return (
      `NOT_ENOUGH_REPLICAS: ${thin.topic} partition ${thin.partition} has ${thin.isr.length} in-sync replica${thin.isr.length === 1 ? '' : 's'}, ` +
      `fewer than KAFKA_MIN_INSYNC_REPLICAS=${minInsyncReplicas}${more(short.length)}`
    );
  }
  return null;
}

/** Throws the shortfall of `topics` as the cluster reports it now; resolves when every partition can take a write. */
export function inSyncReplicasCheck(admin: Admin, topics: readonly string[], minInsyncReplicas: number): () => Promise<void> {
  return async () => {
    let metadata: Awaited<ReturnType<Admin['fetchTopicMetadata']>>;
    try {
      metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
    } catch (error) {
      // kafkajs throws a partition's error (LEADER_NOT_AVAILABLE during an election) as a whole: say which it was.
      const type = (error as { type?: unknown }).type;
      if (typeof type === 'string' && error instanceof Error) throw new Error(`${type}: ${error.message}`, { cause: error });
      throw error;
    }
    const partitions = metadata.topics.flatMap(({ name, partitions: ps }) => ps.map((p) => ({ topic: name, partition: p.partitionId, leader: p.leader, isr: p.isr })));
    const shortfall = inSyncShortfall(partitions, minInsyncReplicas);
    if (shortfall !== null) throw new Error(shortfall);
  };
}
