import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { readTopicBounds } from '../src/config.js';
import { DEFAULT_TOPIC_BOUNDS, erasuresRetentionMs, longestPersonalDataLifeMs, RETENTION_CHECK_INTERVAL_MS, type TopicBounds } from '../src/kafka/topic-bounds.js';
import { alignedEntries, topicConfigs } from '../src/kafka/topics.js';

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
