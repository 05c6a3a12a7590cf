/** Creates the collector's topics when they are missing; existing topics are left exactly as they are. */
import type { Admin } from 'kafkajs';
import type { Topics } from '@sessionflow/core';
import type { Logger } from '../log.js';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
}

export async function ensureTopics(admin: Admin, topics: Topics, settings: TopicSettings, logger: Logger): Promise<void> {
  const wanted = [topics.events, topics.eventsDlq];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: settings.partitions,
      replicationFactor: settings.replicationFactor,
    })),
  });
  logger.info('created topics', { topics: missing, ...settings });
}
