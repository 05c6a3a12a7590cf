/**
 * How far each pipeline stage has got, read from where the stages keep their
 * offsets: Redis, written with the state they cover. The keys are named, not
 * scanned for: a SCAN over the pipeline's keyspace every 100 ms cost Redis
 * about a millisecond a call, CPU the stages being measured needed.
 * A stage is through a topic when its offsets reach the topic's end offsets.
 */
import type { Admin } from 'kafkajs';
import { stageOffsetKeys, type StageName, type StoreClient } from '@sessionflow/collector';

/** Read through the store client the pipeline itself uses: on a cluster, the keys of many slots are grouped by slot. */
type Redis = Pick<StoreClient, 'mGet'>;

/** What each stage consumes: its topics and their partitions. */
export type StageInputs = ReadonlyMap<StageName, ReadonlyMap<string, readonly number[]>>;

/** stage → topic → records applied (the sum over partitions of the next offsets). */
export async function stageProgress(redis: Redis, prefix: string, inputs: StageInputs): Promise<Map<StageName, Map<string, bigint>>> {
  const offsetKey = stageOffsetKeys(prefix);
  const wanted = [...inputs].flatMap(([stage, topics]) => [...topics].flatMap(([topic, partitions]) => partitions.map((partition) => ({ stage, topic, key: offsetKey[stage](topic, partition) }))));
  const out = new Map<StageName, Map<string, bigint>>();
  if (wanted.length === 0) return out;
  const values = await redis.mGet(wanted.map((w) => w.key));
  wanted.forEach(({ stage, topic }, i) => {
    const value = values[i];
    const topics = out.get(stage) ?? new Map<string, bigint>();
    topics.set(topic, (topics.get(topic) ?? 0n) + (typeof value === 'string' ? BigInt(value) : 0n));
    out.set(stage, topics);
  });
  return out;
}

/** The partitions of a topic. */
export async function topicPartitions(admin: Admin, topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((p) => p.partition);
}

/** The end offset of a topic, summed over partitions (its record count when nothing was deleted). */
export async function topicEnd(admin: Admin, topic: string): Promise<bigint> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + BigInt(p.high), 0n);
}
