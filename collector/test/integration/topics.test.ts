/**
 * Topic bounds on a real broker: the topics the collector and the pipeline
 * create carry their retention settings, and topics an older deployment
 * created without them get them at the next start, keeping their partitions
 * and the overrides an operator set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames, type Topics } from '@sessionflow/core';
import { ConfigResourceTypes, ConfigSource } from 'kafkajs';
import { DEFAULT_TOPIC_BOUNDS, erasuresRetentionMs, type TopicBounds } from '../../src/kafka/topic-bounds.js';
import { ensureTopics } from '../../src/kafka/topics.js';
import { createLogger } from '../../src/log.js';
import { startPipeline } from '../../src/pipeline/pipeline.js';
import { startCollector } from '../../src/server.js';
import { eventually, pipelineSettings, startInfra, type Infra } from './support.js';

const quiet = createLogger('error', () => undefined);
const MINUTE = 60_000;
const bounds: TopicBounds = { eventsRetentionMs: 30 * MINUTE, eventsRetentionBytes: 8 * 1024 * 1024, dlqRetentionBytes: 2 * 1024 * 1024, stateRetentionMs: 90 * MINUTE, segmentMs: 5 * MINUTE, maxCompactionLagMs: 2 * MINUTE };

let infra: Infra;

beforeAll(async () => {
  infra = await startInfra();
});

afterAll(async () => {
  await infra?.stop();
});

/** The topic-level overrides each topic carries on the broker. */
async function overrides(topics: Topics): Promise<Map<string, Record<string, string>>> {
  const described = await infra.admin.describeConfigs({ includeSynonyms: false, resources: Object.values(topics).map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
  return new Map(
    described.resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG).map((e) => [e.configName, e.configValue]))]),
  );
}

/** What the broker must say for `b`, written out here rather than taken from the code under test. */
function expected(topics: Topics, b: TopicBounds): Map<string, Record<string, string>> {
  const events = (bytes: number) => ({ 'cleanup.policy': 'delete', 'retention.ms': String(b.eventsRetentionMs), 'retention.bytes': String(bytes), 'segment.ms': String(b.segmentMs) });
  const state = (retention: number) => ({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(retention), 'segment.ms': String(b.segmentMs), 'max.compaction.lag.ms': String(b.maxCompactionLagMs), 'delete.retention.ms': String(b.maxCompactionLagMs) });
  const longest = Math.max(b.eventsRetentionMs, b.stateRetentionMs) + b.segmentMs + 5 * MINUTE;
  return new Map<string, Record<string, string>>([
    [topics.events, events(b.eventsRetentionBytes)],
    [topics.eventsByUser, events(b.eventsRetentionBytes)],
    [topics.eventsDlq, events(b.dlqRetentionBytes)],
    [topics.identity, state(b.stateRetentionMs)],
    [topics.sessions, state(b.stateRetentionMs)],
    [topics.profiles, state(b.stateRetentionMs)],
    [topics.products, { 'cleanup.policy': 'compact' }],
    [topics.inventory, { 'cleanup.policy': 'compact' }],
    // A marker is in force an hour longer than anything of the person can live, and its record longer by the compaction lag.
    [topics.erasures, state(longest + 60 * MINUTE + b.maxCompactionLagMs)],
  ]);
}

describe('topic bounds on a real broker', () => {
  it('creates every topic with its bounds', async () => {
    const topics = topicNames('it-bounds-new');
    await ensureTopics(infra.admin, topics, { partitions: 2, replicationFactor: 1, bounds }, quiet);
    expect(await overrides(topics)).toEqual(expected(topics, bounds));
    // The erasure markers' topic outlives everything else by the markers' margin of an hour and the compaction lag.
    expect(erasuresRetentionMs(bounds)).toBe(90 * MINUTE + 5 * MINUTE + 5 * MINUTE + 60 * MINUTE + 2 * MINUTE);
  });

  it("bounds the topics of an older deployment at the next start, keeping their partitions and an operator's override", async () => {
    const topics = topicNames('it-bounds-old');
    // As the collector created them before: no retention at all, compaction only where core said; an operator's own setting on one.
    await infra.admin.createTopics({
      // Listed below instead: kafkajs' wait for leaders can give up while the new topics reach the broker's metadata.
      waitForLeaders: false,
      topics: Object.entries(topics).map(([name, topic]) => ({
        topic,
        numPartitions: 4,
        replicationFactor: 1,
        configEntries: [
          ...(['identity', 'sessions', 'profiles', 'products', 'inventory'].includes(name) ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
          ...(name === 'events' ? [{ name: 'max.message.bytes', value: '2000000' }, { name: 'retention.ms', value: '-1' }] : []),
        ],
      })),
    });

    await eventually('the old topics to be listed', async () => {
      const listed = new Set(await infra.admin.listTopics());
      return Object.values(topics).every((t) => listed.has(t));
    });
    await ensureTopics(infra.admin, topics, { partitions: 3, replicationFactor: 1, bounds }, quiet);
    const want = expected(topics, bounds);
    want.set(topics.events, { ...want.get(topics.events), 'max.message.bytes': '2000000' });
    expect(await overrides(topics)).toEqual(want);
    const partitions = await infra.admin.fetchTopicMetadata({ topics: [topics.events, topics.erasures] });
    expect(partitions.topics.map((t) => t.partitions.length)).toEqual([4, 4]);
  });

  it('the collector and the pipeline put the bounds they are configured with on the topics when they start', async () => {
    const prefix = 'it-bounds-start';
    const topics = topicNames(prefix);
    await ensureTopics(infra.admin, topics, { partitions: 3, replicationFactor: 1, bounds: DEFAULT_TOPIC_BOUNDS }, quiet);

    const collectorBounds = { ...bounds, eventsRetentionMs: 45 * MINUTE };
    const collector = await startCollector({ kafkaBrokers: infra.kafka.brokers, port: 0, topicPrefix: prefix, producerThread: false, logLevel: 'error', topicBounds: collectorBounds });
    try {
      expect(await overrides(topics)).toEqual(expected(topics, collectorBounds));
    } finally {
      await collector.close();
    }

    const pipelineBounds = { ...bounds, stateRetentionMs: 120 * MINUTE };
    const pipeline = await startPipeline({ ...pipelineSettings(infra, prefix), topicBounds: pipelineBounds });
    try {
      expect(await overrides(topics)).toEqual(expected(topics, pipelineBounds));
    } finally {
      await pipeline.close();
    }
  });
});
