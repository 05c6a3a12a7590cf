/**
 * Puts faster equivalents of two kafkajs 2.2.4 internals (the version is
 * pinned exactly) in its module cache; together they were most of the producer
 * thread's profile:
 *
 * - the Produce request encoder (see produce-request.ts);
 * - `producer/groupMessagesPerPartition`, which copies the partition's array
 *   for every message (quadratic in the batch); the one below appends.
 *
 * Only encoding changes: sequence numbers, retries and acks stay kafkajs's,
 * and tests hold both to kafkajs's own output.
 */
import { createRequire } from 'node:module';
import type { Message, PartitionerArgs } from 'kafkajs';
import { produceRequestV3 } from './produce-request.js';

const require = createRequire(import.meta.url);

const GROUPING_MODULE = 'kafkajs/src/producer/groupMessagesPerPartition.js';
const REQUEST_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request.js';
/** Modules that capture a replaced one when they load: replacing it after that has no effect. */
const GROUPING_USERS = ['kafkajs/src/producer/sendMessages.js'];
const REQUEST_USERS = [4, 5, 6, 7].map((v) => `kafkajs/src/protocol/requests/produce/v${v}/request.js`);

/** kafkajs's own grouping, for tests. */
export const kafkajsGroupMessagesPerPartition = require(GROUPING_MODULE) as typeof groupMessagesPerPartition;

/** Same result as kafkajs's `groupMessagesPerPartition`, in linear time. */
export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: PartitionerArgs['partitionMetadata'];
  messages: Message[];
  partitioner: (args: PartitionerArgs) => number;
}): Record<number, Message[]> {
  const result: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

/**
 * Installs the replacements. Each takes effect only if the modules that use it
 * have not loaded yet (so run this before kafkajs loads, or at least before it
 * produces); the answer says which did, and kafkajs works unchanged either way.
 */
export function installKafkajsFastPaths(): { request: boolean; grouping: boolean } {
  const replace = (name: string, users: string[], replacement: unknown) => {
    const entry = require.cache[require.resolve(name)];
    if (!entry || users.some((user) => require.cache[require.resolve(user)])) return false;
    entry.exports = replacement;
    return true;
  };
  return {
    request: replace(REQUEST_MODULE, REQUEST_USERS, produceRequestV3),
    grouping: replace(GROUPING_MODULE, GROUPING_USERS, groupMessagesPerPartition),
  };
}

/**
 * Throws unless both replacements took effect. Installing is order-sensitive
 * (a module that loads kafkajs imported first turns it off) and kafkajs works
 * without them, only several times slower per record: a silent slowdown, so the
 * entries refuse to start instead.
 */
export function requireFastPaths(installed: { request: boolean; grouping: boolean }): { request: boolean; grouping: boolean } {
  const missing = Object.entries(installed).flatMap(([name, done]) => (done ? [] : [name]));
  if (missing.length > 0) {
    throw new Error(
      `the kafkajs fast paths are not in place (${missing.join(', ')}): kafkajs was loaded before kafka/install-fast-paths.js, ` +
        'which must be the first import of the entry (collector/src/pipeline/main.ts, collector/src/kafka/producer-worker.ts)',
    );
  }
  return installed;
}
