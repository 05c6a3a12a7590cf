import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_CONFIG, readPipelineConfig } from '../src/pipeline/config.js';
import { createHealthApp } from '../src/pipeline/health.js';

describe('readPipelineConfig', () => {
  it('runs locally with no environment', () => {
    expect(readPipelineConfig({})).toEqual(DEFAULT_PIPELINE_CONFIG);
    expect(DEFAULT_PIPELINE_CONFIG).toMatchObject({ groupId: 'sf-pipeline', host: '127.0.0.1', port: 8790 });
  });

  it('reads the environment', () => {
    const config = readPipelineConfig({
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      REDIS_URL: 'redis://redis.internal:6380',
      TOPIC_PREFIX: 'dev',
      PIPELINE_GROUP: 'dev-pipeline',
      PIPELINE_HOST: '0.0.0.0',
      PIPELINE_PORT: '0',
      PIPELINE_DEDUPE_TTL_S: '3600',
    });
    expect(config).toMatchObject({
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      redisUrl: 'redis://redis.internal:6380',
      topicPrefix: 'dev',
      groupId: 'dev-pipeline',
      host: '0.0.0.0',
      port: 0,
      dedupeTtlSeconds: 3600,
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => readPipelineConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => readPipelineConfig({ PIPELINE_PORT: 'eighty' })).toThrow(/PIPELINE_PORT/);
  });
});

describe('pipeline probes', () => {
  it('is ready only once the consumer joined its group and Redis answers', async () => {
    let joined = false;
    let redis = false;
    const app = createHealthApp({ joined: () => joined, storeAnswers: async () => redis });
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(503);
    joined = true;
    expect((await app.request('/readyz')).status).toBe(503);
    redis = true;
    expect((await app.request('/readyz')).status).toBe(200);
  });
});
