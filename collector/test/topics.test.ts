import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { topicConfigs } from '../src/kafka/topics.js';

describe('topicConfigs', () => {
  it('covers every topic of core, compacting reference data, identity, sessions and profiles', () => {
    const configs = topicConfigs(topicNames('sf'), { partitions: 3, replicationFactor: 1 });
    const compacted = configs.filter((c) => c.configEntries?.some((e) => e.name === 'cleanup.policy' && e.value === 'compact')).map((c) => c.topic);
    expect(configs.map((c) => c.topic).sort()).toEqual(Object.values(topicNames('sf')).sort());
    expect(compacted.sort()).toEqual(['sf.identity', 'sf.inventory', 'sf.products', 'sf.profiles', 'sf.sessions']);
    expect(configs.every((c) => c.numPartitions === 3 && c.replicationFactor === 1)).toBe(true);
  });
});
