/**
 * Creates Sessionflow's topics (DESIGN.md, "Topics") when they are missing;
 * existing topics are left exactly as they are. Reference data, identity,
 * sessions and profiles are compacted: only the latest value per key matters,
 * and a consumer starting from the beginning rebuilds the current state.
 */
import type { Admin, ITopicConfig } from 'kafkajs';
import type { Topics } from '@sessionflow/core';
import type { Logger } from '../log.js';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
}

const COMPACTED: ReadonlySet<keyof Topics> = new Set<keyof Topics>(['identity', 'sessions', 'profiles', 'products', 'inventory']);

/** Every topic of `topics`, compacted ones with `cleanup.policy=compact`. */
export function topicConfigs(topics: Topics, settings: TopicSettings): ITopicConfig[] {
  return (Object.keys(topics) as (keyof Topics)[]).map((name) => ({
    topic: topics[name],
    numPartitions: settings.partitions,
    replicationFactor: settings.replicationFactor,
    ...(COMPACTED.has(name) ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] } : {}),
  }));
}

export async function ensureTopics(admin: Admin, topics: Topics, settings: TopicSettings, logger: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topicConfigs(topics, settings).filter(({ topic }) => !existing.has(topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ waitForLeaders: true, topics: missing });
  } catch (error) {
    // The collector and the pipeline may start together and race to create the same topics.
    const still = new Set(await admin.listTopics());
    if (missing.some(({ topic }) => !still.has(topic))) throw error;
  }
  logger.info('created topics', { topics: missing.map((t) => t.topic), ...settings });
}
