/**
 * How far each pipeline stage has got, read from where the stages keep their
 * offsets: Redis, written with the state they cover (`<prefix>:offset:…`
 * for the aggregates stage, `<prefix>:identity:offset:…`, `<prefix>:sessions:offset:…`).
 * A stage is through a topic when its offsets reach the topic's end offsets.
 */
import type { Admin } from 'kafkajs';
import type { createClient } from 'redis';

type Redis = ReturnType<typeof createClient>;

/** stage → topic → records applied (the sum over partitions of the next offsets). */
export async function stageProgress(redis: Redis, prefix: string): Promise<Map<string, Map<string, bigint>>> {
  const out = new Map<string, Map<string, bigint>>();
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}:*offset:*`, COUNT: 1000 })) keys.push(...(Array.isArray(batch) ? batch : [batch]));
  if (keys.length === 0) return out;
  const values = await redis.mGet(keys);
  keys.forEach((key, i) => {
    const match = /^(.*)offset:(.+):(\d+)$/.exec(key.slice(prefix.length + 1));
    const value = values[i];
    if (match === null || typeof value !== 'string') return;
    const stage = match[1]!.replace(/:$/, '') || 'aggregates';
    const topics = out.get(stage) ?? new Map<string, bigint>();
    topics.set(match[2]!, (topics.get(match[2]!) ?? 0n) + BigInt(value));
    out.set(stage, topics);
  });
  return out;
}

/** The end offset of a topic, summed over partitions (its record count when nothing was deleted). */
export async function topicEnd(admin: Admin, topic: string): Promise<bigint> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + BigInt(p.high), 0n);
}
