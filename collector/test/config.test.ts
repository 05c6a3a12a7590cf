import { describe, expect, it } from 'vitest';
import { configWarnings, DEFAULT_CONFIG, DEV_RELAY_SECRET, readConfig } from '../src/config.js';

describe('readConfig', () => {
  it('runs locally with no environment at all', () => {
    const config = readConfig({});
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:29092']);
    expect(config.port).toBe(8788);
    expect(config.relaySecret).toBe(DEV_RELAY_SECRET);
  });

  it('reads every setting from the environment', () => {
    const config = readConfig({
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      COLLECTOR_HOST: '0.0.0.0',
      COLLECTOR_PORT: '9000',
      RELAY_HMAC_SECRET: 'prod-secret',
      TOPIC_PREFIX: 'dev',
      TOPIC_PARTITIONS: '12',
      KAFKA_REPLICATION_FACTOR: '3',
      COLLECTOR_BODY_LIMIT_BYTES: '2048',
      COLLECTOR_BATCH_MAX_RECORDS: '500',
      COLLECTOR_BATCH_MAX_BYTES: '65536',
      COLLECTOR_BATCH_LINGER_MS: '2',
      COLLECTOR_QUEUE_MAX_BYTES: '1000000',
      COLLECTOR_PRODUCE_TIMEOUT_MS: '1500',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config).toMatchObject({
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      host: '0.0.0.0',
      port: 9000,
      relaySecret: 'prod-secret',
      topicPrefix: 'dev',
      topicPartitions: 12,
      replicationFactor: 3,
      bodyLimitBytes: 2048,
      batchMaxRecords: 500,
      batchMaxBytes: 65536,
      batchLingerMs: 2,
      queueMaxBytes: 1_000_000,
      produceTimeoutMs: 1500,
      logLevel: 'debug',
    });
  });

  it.each([
    ['COLLECTOR_PORT', 'eighty'],
    ['COLLECTOR_PORT', '70000'],
    ['TOPIC_PARTITIONS', '0'],
    ['COLLECTOR_BODY_LIMIT_BYTES', '1.5'],
    ['LOG_LEVEL', 'chatty'],
    ['KAFKA_BROKERS', ' , '],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(name);
  });

  it('warns about the development secrets, and only about those', () => {
    expect(configWarnings(readConfig({}))).toEqual([expect.stringContaining('RELAY_HMAC_SECRET'), expect.stringContaining('READ_API_SECRET')]);
    expect(configWarnings(readConfig({ RELAY_HMAC_SECRET: 'a-real-secret' }))).toEqual([expect.stringContaining('READ_API_SECRET')]);
    expect(configWarnings(readConfig({ RELAY_HMAC_SECRET: 'a-real-secret', READ_API_SECRET: 'another-real-one' }))).toEqual([]);
  });

  it('reads the read secret and the Redis URL, refusing what cannot be a bearer token or a Redis URL', () => {
    expect(readConfig({ READ_API_SECRET: 'abc.DEF-123', REDIS_URL: 'redis://127.0.0.1:6390' })).toMatchObject({
      readSecret: 'abc.DEF-123',
      redisUrl: 'redis://127.0.0.1:6390',
    });
    expect(readConfig({}).redisUrl).toBeUndefined();
    expect(() => readConfig({ READ_API_SECRET: 'has space' })).toThrow('READ_API_SECRET');
    expect(() => readConfig({ REDIS_URL: 'localhost:6379' })).toThrow('REDIS_URL');
  });
});
