/**
 * Kafka's default partitioning (Java client, murmur2 of the key), computed with
 * 32-bit integer arithmetic. kafkajs's own DefaultPartitioner gives the same
 * partitions but emulates 64-bit longs in JavaScript, which showed up as one of
 * the largest costs per record in the collector's profile; a test holds the two
 * to the same answers.
 */
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** murmur2 as in `org.apache.kafka.common.utils.Utils.murmur2`, over the UTF-8 bytes of the key. */
export function murmur2(key: Uint8Array): number {
  const length = key.length;
  let h = SEED ^ length;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (key[i4] as number) | ((key[i4 + 1] as number) << 8) | ((key[i4 + 2] as number) << 16) | ((key[i4 + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= (key[tail + 2] as number) << 16;
    if (rest >= 2) h ^= (key[tail + 1] as number) << 8;
    h ^= key[tail] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

const toPositive = (x: number) => x & 0x7fffffff;

/** Drop-in for kafkajs's `Partitioners.DefaultPartitioner`: explicit partition, else murmur2 of the key, else round-robin. */
export const Murmur2Partitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const numPartitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) {
      const bytes = typeof message.key === 'string' ? Buffer.from(message.key, 'utf8') : message.key;
      return toPositive(murmur2(bytes)) % numPartitions;
    }
    const next = (counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return (available[toPositive(next) % available.length] as { partitionId: number }).partitionId;
    return toPositive(next) % numPartitions;
  };
};
