/**
 * Where each pipeline stage keeps its next offset of a topic-partition, by
 * stage name: what an operator's tool (or the benchmark) reads to see how far
 * each stage has got without scanning the keyspace.
 */
import { identityKeys } from '../store/identity-keys.js';
import { storeKeys } from '../store/keys.js';
import { sessionKeys } from './sessions/keys.js';

export type StageName = 'identity' | 'sessions' | 'aggregates';

export function stageOffsetKeys(prefix: string): Record<StageName, (topic: string, partition: number) => string> {
  return {
    identity: (topic, partition) => identityKeys(prefix, topic, partition).offset,
    sessions: (topic, partition) => sessionKeys(prefix, topic, partition).offset,
    aggregates: (topic, partition) => storeKeys(prefix, topic, partition).offset,
  };
}
