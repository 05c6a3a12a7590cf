import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { readTopicBounds } from '../src/config.js';
import { DEFAULT_TOPIC_BOUNDS, erasuresRetentionMs, longestPersonalDataLifeMs, RETENTION_CHECK_INTERVAL_MS, type TopicBounds } from '../src/kafka/topic-bounds.js';
import { alignedEntries, ensureTopics, replicationMismatches, topicConfigs } from '../src/kafka/topics.js';
import { createLogger } from '../src/log.js';

const { ConfigSource } = kafkajs;
const DAY = 24 * 60 * 60 * 1000;
const bounds: TopicBounds = { eventsRetentionMs: 3 * DAY, eventsRetentionBytes: -1, dlqRetentionBytes: 5 * 1024 * 1024, stateRetentionMs: 10 * DAY, segmentMs: DAY / 2, maxCompactionLagMs: DAY / 4 };

function configsByTopic(b: TopicBounds) {
  return new Map(topicConfigs(topicNames('sf'), { partitions: 3, replicationFactor: 1, bounds: b }).map((c) => [c.topic, Object.fromEntries((c.configEntries ?? []).map((e) => [e.name, e.value]))]));
}

describe('topicConfigs', () => {
  it('covers every topic of core with its partitions', () => {
    const configs = topicConfigs(topicNames('sf'), { partitions: 3, replicationFactor: 1, bounds });
    expect(configs.map((c) => c.topic).sort()).toEqual(Object.values(topicNames('sf')).sort());
    expect(configs.every((c) => c.numPartitions === 3 && c.replicationFactor === 1)).toBe(true);
  });

  it('bounds the append topics by time, and the DLQ by size too', () => {
    const byTopic = configsByTopic(bounds);
    for (const topic of ['sf.events', 'sf.events.by-user']) {
      expect(byTopic.get(topic)).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': String(3 * DAY), 'retention.bytes': '-1', 'segment.ms': String(DAY / 2) });
    }
    expect(byTopic.get('sf.events.dlq')).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': String(3 * DAY), 'retention.bytes': String(5 * 1024 * 1024), 'segment.ms': String(DAY / 2) });
  });

  it('compacts and deletes the state holding personal data, so a tombstoned value is gone within the compaction lag', () => {
    const byTopic = configsByTopic(bounds);
    for (const topic of ['sf.identity', 'sf.sessions', 'sf.profiles']) {
      expect(byTopic.get(topic)).toEqual({
        'cleanup.policy': 'compact,delete',
        'retention.ms': String(10 * DAY),
        'segment.ms': String(DAY / 2),
        'max.compaction.lag.ms': String(DAY / 4),
        'delete.retention.ms': String(DAY / 4),
      });
    }
    for (const topic of ['sf.products', 'sf.inventory']) expect(byTopic.get(topic)).toEqual({ 'cleanup.policy': 'compact' });
  });

  it('keeps erasure markers longer than any record of a person lives in any other topic, plus the compaction lag', () => {
    // 10 days of state retention is the longest here; a record may wait half a day in its segment, and the broker checks every 5 minutes.
    expect(longestPersonalDataLifeMs(bounds)).toBe(10 * DAY + DAY / 2 + RETENTION_CHECK_INTERVAL_MS);
    expect(longestPersonalDataLifeMs({ ...bounds, eventsRetentionMs: 20 * DAY })).toBe(20 * DAY + DAY / 2 + RETENTION_CHECK_INTERVAL_MS);
    const erasures = configsByTopic(bounds).get('sf.erasures');
    expect(erasures).toMatchObject({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(erasuresRetentionMs(bounds)) });
    const retention = Number(erasures?.['retention.ms']);
    for (const [topic, config] of configsByTopic(bounds)) {
      if (topic === 'sf.erasures' || config['retention.ms'] === undefined) continue;
      expect(retention).toBeGreaterThan(Number(config['retention.ms']) + Number(config['segment.ms']) + bounds.maxCompactionLagMs);
    }
  });

  it('defaults: 7 days for events, 90 days for state, 1 GiB per DLQ partition, a day of segment and compaction lag', () => {
    expect(readTopicBounds({})).toEqual(DEFAULT_TOPIC_BOUNDS);
    expect(DEFAULT_TOPIC_BOUNDS).toEqual({ eventsRetentionMs: 7 * DAY, eventsRetentionBytes: -1, dlqRetentionBytes: 1024 ** 3, stateRetentionMs: 90 * DAY, segmentMs: DAY, maxCompactionLagMs: DAY });
  });
});

describe('readTopicBounds', () => {
  it('reads every bound, -1 for no size bound', () => {
    expect(
      readTopicBounds({
        TOPIC_EVENTS_RETENTION_MS: String(3 * DAY),
        TOPIC_EVENTS_RETENTION_BYTES: '10485760',
        TOPIC_DLQ_RETENTION_BYTES: '-1',
        TOPIC_STATE_RETENTION_MS: String(30 * DAY),
        TOPIC_SEGMENT_MS: '3600000',
        TOPIC_MAX_COMPACTION_LAG_MS: '600000',
      }),
    ).toEqual({ eventsRetentionMs: 3 * DAY, eventsRetentionBytes: 10485760, dlqRetentionBytes: -1, stateRetentionMs: 30 * DAY, segmentMs: 3600000, maxCompactionLagMs: 600000 });
  });

  it.each([
    ['TOPIC_EVENTS_RETENTION_MS', '-1'],
    ['TOPIC_STATE_RETENTION_MS', '1000'],
    ['TOPIC_SEGMENT_MS', 'a day'],
    ['TOPIC_DLQ_RETENTION_BYTES', '100'],
    ['TOPIC_MAX_COMPACTION_LAG_MS', '0'],
  ])('refuses %s=%s naming it', (name, value) => {
    expect(() => readTopicBounds({ [name]: value })).toThrow(name);
  });
});

describe('alignedEntries', () => {
  const wanted = [
    { name: 'retention.ms', value: '100' },
    { name: 'cleanup.policy', value: 'delete' },
  ];

  it('changes nothing when the topic has our settings already', () => {
    expect(alignedEntries(new Map([['retention.ms', '100'], ['cleanup.policy', 'delete'], ['min.insync.replicas', '2']]), wanted)).toBeNull();
  });

  it("sets ours over the topic's, and keeps the other overrides an operator set", () => {
    const next = alignedEntries(new Map([['retention.ms', '-1'], ['min.insync.replicas', '2']]), wanted);
    expect(next).toEqual(new Map([['retention.ms', '100'], ['min.insync.replicas', '2'], ['cleanup.policy', 'delete']]));
  });
});

describe('replication of the topics', () => {
  it('creates every topic with the min ISR asked, and none when none is set', () => {
    const withIsr = topicConfigs(topicNames('sf'), { partitions: 3, replicationFactor: 3, minInsyncReplicas: 2, bounds });
    for (const config of withIsr) {
      expect(config.replicationFactor).toBe(3);
      expect(config.configEntries).toContainEqual({ name: 'min.insync.replicas', value: '2' });
    }
    const without = topicConfigs(topicNames('sf'), { partitions: 3, replicationFactor: 1, bounds });
    expect(without.flatMap((c) => c.configEntries ?? []).some((e) => e.name === 'min.insync.replicas')).toBe(false);
  });

  it('names the topics whose replication factor or min ISR differ from the settings', () => {
    const actual = [
      { topic: 'sf.events', replicationFactor: 3, minInsyncReplicas: 2 },
      { topic: 'sf.events.dlq', replicationFactor: 1, minInsyncReplicas: 2 },
      { topic: 'sf.identity', replicationFactor: 3, minInsyncReplicas: 1 },
    ];
    expect(replicationMismatches(actual, { replicationFactor: 3, minInsyncReplicas: 2 })).toEqual([
      { topic: 'sf.events.dlq', replicationFactor: '1 (wanted 3)' },
      { topic: 'sf.identity', minInsyncReplicas: '1 (wanted 2)' },
    ]);
    // No min ISR asked for: only the replication factor is compared.
    expect(replicationMismatches(actual, { replicationFactor: 3 })).toEqual([{ topic: 'sf.events.dlq', replicationFactor: '1 (wanted 3)' }]);
  });
});

describe('ensureTopics', () => {
  /** Topics as a broker would hold them: replicas per partition, topic-level overrides, and the broker's min ISR. */
  function fakeAdmin(existing: Record<string, { replicas: number; overrides?: Record<string, string> }>, brokerMinIsr = '1') {
    const topics = new Map(Object.entries(existing).map(([name, t]) => [name, { replicas: t.replicas, overrides: new Map(Object.entries(t.overrides ?? {})) }]));
    const created: ITopicConfig[] = [];
    const metadataAsked: string[][] = [];
    /** The metadata answers to come, in order: true for UNKNOWN_TOPIC_OR_PARTITION; then answers. */
    const unknownAnswers: boolean[] = [];
    const admin = {
      listTopics: async () => [...topics.keys()],
      createTopics: async ({ topics: wanted }: { topics: ITopicConfig[] }) => {
        for (const t of wanted) {
          created.push(t);
          topics.set(t.topic, { replicas: t.replicationFactor ?? 1, overrides: new Map((t.configEntries ?? []).map((e) => [e.name, e.value])) });
        }
        return true;
      },
      describeConfigs: async ({ resources }: { resources: { name: string; configNames?: string[] }[] }) => ({
        resources: resources.map(({ name, configNames }) => {
          const overrides = topics.get(name)?.overrides ?? new Map<string, string>();
          const entries = configNames
            ? configNames.map((configName) =>
                overrides.has(configName)
                  ? { configName, configValue: overrides.get(configName), configSource: ConfigSource.TOPIC_CONFIG }
                  : { configName, configValue: brokerMinIsr, configSource: ConfigSource.STATIC_BROKER_CONFIG },
              )
            : [...overrides].map(([configName, configValue]) => ({ configName, configValue, configSource: ConfigSource.TOPIC_CONFIG }));
          return { resourceName: name, configEntries: entries };
        }),
      }),
      alterConfigs: async ({ resources }: { resources: { name: string; configEntries: { name: string; value: string }[] }[] }) => {
        for (const r of resources) {
          const topic = topics.get(r.name);
          if (topic) topic.overrides = new Map(r.configEntries.map((e) => [e.name, e.value]));
        }
      },
      fetchTopicMetadata: async ({ topics: names }: { topics: string[] }) => {
        metadataAsked.push(names);
        // A broker that has not learnt of a new topic yet answers as Kafka does.
        if (unknownAnswers.length > 0 && unknownAnswers.shift()) throw Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });
        return {
          topics: names.map((name) => ({ name, partitions: [0, 1, 2].map((partition) => ({ partition, leader: 1, replicas: Array.from({ length: topics.get(name)?.replicas ?? 0 }, (_, i) => i + 1) })) })),
        };
      },
    };
    return { admin: admin as unknown as Admin, created, topics, metadataAsked, unknownAnswers };
  }

  function recordingLogger() {
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger = createLogger('info', () => undefined);
    logger.warn = (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields });
    return { logger, warnings };
  }

  const all = topicNames('sf');
  const settings = { partitions: 3, replicationFactor: 3, minInsyncReplicas: 2, bounds };

  it('creates the missing topics with replication factor and min ISR, and warns of nothing when the existing ones agree', async () => {
    const { admin, created, topics } = fakeAdmin({ [all.events]: { replicas: 3, overrides: { 'min.insync.replicas': '2' } } });
    const { logger, warnings } = recordingLogger();
    await ensureTopics(admin, all, settings, logger);
    expect(created.map((c) => c.topic).sort()).toEqual(Object.values(all).filter((t) => t !== all.events).sort());
    for (const name of Object.values(all)) expect(topics.get(name)?.overrides.get('min.insync.replicas')).toBe('2');
    expect(warnings).toEqual([]);
  });

  it('after creating topics, asks their metadata until three answers in a row know them (a broker that has not learnt of them yet answers unknown)', async () => {
    const { admin, metadataAsked, unknownAnswers } = fakeAdmin({});
    unknownAnswers.push(false, true, false, false, true);
    await ensureTopics(admin, all, settings, recordingLogger().logger);
    const created = Object.values(all).sort();
    const asked = metadataAsked.filter((names) => [...names].sort().join() === created.join());
    // known, unknown (start again), known, known, unknown (start again), then three known.
    expect(asked).toHaveLength(8);
    expect(unknownAnswers).toEqual([]);
  });

  it('warns naming the existing topics replicated otherwise, and leaves their replication as it is', async () => {
    const { admin, topics } = fakeAdmin(
      {
        [all.events]: { replicas: 1 },
        [all.eventsDlq]: { replicas: 3, overrides: { 'min.insync.replicas': '3' } },
        [all.identity]: { replicas: 3, overrides: { 'min.insync.replicas': '2' } },
      },
      '1',
    );
    const { logger, warnings } = recordingLogger();
    await ensureTopics(admin, all, settings, logger);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(`${all.events}, ${all.eventsDlq}`);
    expect(warnings[0]?.message).not.toContain(all.identity);
    expect(warnings[0]?.fields?.['topics']).toEqual([
      { topic: all.events, replicationFactor: '1 (wanted 3)', minInsyncReplicas: '1 (wanted 2)' },
      { topic: all.eventsDlq, minInsyncReplicas: '3 (wanted 2)' },
    ]);
    // Their bounds were put on them; their min ISR was not touched.
    expect(topics.get(all.eventsDlq)?.overrides.get('min.insync.replicas')).toBe('3');
    expect(topics.get(all.events)?.overrides.has('min.insync.replicas')).toBe(false);
    expect(topics.get(all.events)?.overrides.get('cleanup.policy')).toBe('delete');
  });

  /** A broker of a cluster whose metadata shows topics only some describes after they were created (KafkaJSProtocolError's shape). */
  function lagging(admin: Admin, unknownFor: number, type = 'UNKNOWN_TOPIC_OR_PARTITION') {
    let describes = 0;
    const describeConfigs = admin.describeConfigs.bind(admin);
    admin.describeConfigs = async (request) => {
      describes += 1;
      if (describes <= unknownFor) throw Object.assign(new Error(`the broker answered ${type}`), { type, retriable: true });
      return describeConfigs(request);
    };
    return { describes: () => describes };
  }

  it('asks again while a broker does not know the topics just created yet, and bounds them', async () => {
    const { admin, topics } = fakeAdmin({});
    const broker = lagging(admin, 2);
    await ensureTopics(admin, all, settings, createLogger('error', () => undefined));
    expect(broker.describes()).toBeGreaterThan(2);
    for (const name of Object.values(all)) expect(topics.get(name)?.overrides.has('cleanup.policy')).toBe(true);
  });

  it('gives up at once on any other error of DescribeConfigs', async () => {
    const { admin } = fakeAdmin({});
    const broker = lagging(admin, 1, 'TOPIC_AUTHORIZATION_FAILED');
    await expect(ensureTopics(admin, all, settings, createLogger('error', () => undefined))).rejects.toThrow('the broker answered TOPIC_AUTHORIZATION_FAILED');
    expect(broker.describes()).toBe(1);
  });
});
