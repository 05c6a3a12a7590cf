/**
 * Which partition owns a piece of state, and the hash tag its keys carry.
 *
 * Every key a pipeline stage writes starts `<prefix>:{<topic>:<partition>}:`:
 * the topic-partition whose records change it. Redis Cluster puts all keys of
 * one hash tag in one slot, so a batch's one script touches one slot and a
 * shard's failover moves a partition's state and its stored offsets together.
 * The owner of an id is the partition the producers send its records to:
 * Kafka's default partitioner (murmur2 of the key), the one every producer of
 * ours uses (../kafka/partitioner.ts). Reads find the owner the same way.
 *
 * The number of partitions is read from Kafka at start: a topic whose count
 * changed moves every id to another owner, so a record that arrives at a
 * partition other than its key's owner stops its stage (OwnerMismatchError)
 * rather than write where no reader looks.
 */
import { murmur2 } from '../kafka/partitioner.js';

/** The partition of `key` among `partitions`: what the producers' partitioner answers for it. */
export function ownerPartition(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`a topic has at least one partition, got ${partitions}`);
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

/** The hash tag of one topic-partition's state. Topic names hold no braces (core's topic rule), so the tag is the key's first. */
export function partitionTag(topic: string, partition: number): string {
  return `{${topic}:${partition}}`;
}

/**
 * The hash tag Redis Cluster hashes a key by: what is between the first `{`
 * and the first `}` after it, when not empty; else the whole key.
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return key.slice(open + 1, close);
  }
  return key;
}

/** The partition counts of the topics whose partitions own state. */
export interface PartitionCounts {
  readonly [topic: string]: number;
}

/** A topic's partitions as the key builders see them. */
export interface TopicOwners {
  readonly topic: string;
  readonly partitions: number;
  /** The partition that owns `key` (a record key of the topic). */
  of(key: string): number;
  /** The tag of a partition. */
  tag(partition: number): string;
  /** Every partition, 0 … partitions-1: what a read of per-partition parts visits. */
  all(): readonly number[];
}

export function topicOwners(topic: string, partitions: number): TopicOwners {
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`${topic}: a topic has at least one partition, got ${partitions}`);
  const every = Object.freeze(Array.from({ length: partitions }, (_, i) => i));
  return {
    topic,
    partitions,
    of: (key) => ownerPartition(key, partitions),
    tag: (partition) => {
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) throw new RangeError(`${topic} has partitions 0 to ${partitions - 1}, not ${partition}`);
      return partitionTag(topic, partition);
    },
    all: () => every,
  };
}

/** A record reached a partition that does not own its key: the topic's partition count changed under the stage. */
export class OwnerMismatchError extends Error {
  constructor(topic: string, partition: number, owner: number, partitions: number) {
    super(`a record of ${topic} arrived at partition ${partition}, but with ${partitions} partitions its key belongs to ${owner}: the topic's partition count changed; restart the pipeline and the read API`);
    this.name = 'OwnerMismatchError';
  }
}
