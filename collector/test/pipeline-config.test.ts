import { describe, expect, it } from 'vitest';
import { DEV_SECRETS } from '../src/config.js';
import { DEFAULT_PIPELINE_CONFIG, pipelineStartupChecks, readPipelineConfig } from '../src/pipeline/config.js';
import { createHealthApp } from '../src/pipeline/health.js';
import { createPipelineMetrics, recordBatch } from '../src/pipeline/metrics.js';

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

  it('reads ERASURE_SECRET, refused off loopback when weak and only warned about on loopback or with SESSIONFLOW_DEV=1', () => {
    expect(readPipelineConfig({}).erasureSecret).toBe(DEV_SECRETS.erasure);
    expect(readPipelineConfig({ ERASURE_SECRET: 'the erasure key' }).erasureSecret).toBe('the erasure key');
    const strong = 'e'.repeat(32);
    expect(pipelineStartupChecks(readPipelineConfig({ PIPELINE_HOST: '0.0.0.0', ERASURE_SECRET: strong }))).toEqual([]);
    expect(() => pipelineStartupChecks(readPipelineConfig({ PIPELINE_HOST: '0.0.0.0' }))).toThrow('ERASURE_SECRET');
    expect(() => pipelineStartupChecks(readPipelineConfig({ PIPELINE_HOST: '0.0.0.0', ERASURE_SECRET: strong.slice(1) }))).toThrow('ERASURE_SECRET is shorter than 32 bytes');
    expect(pipelineStartupChecks(readPipelineConfig({}))).toEqual([expect.stringContaining('ERASURE_SECRET')]);
    expect(pipelineStartupChecks(readPipelineConfig({ PIPELINE_HOST: '0.0.0.0', SESSIONFLOW_DEV: '1' }))).toEqual([expect.stringContaining('SESSIONFLOW_DEV=1')]);
  });

  it('reads the backoff of a partition whose batch failed', () => {
    expect(readPipelineConfig({}).retryBackoff).toEqual({ initialMs: 1_000, maxMs: 10_000 });
    expect(readPipelineConfig({ PIPELINE_RETRY_BACKOFF_MS: '200', PIPELINE_RETRY_BACKOFF_MAX_MS: '1000' }).retryBackoff).toEqual({ initialMs: 200, maxMs: 1_000 });
    // A first wait beyond the default maximum raises the maximum with it, unless the maximum is set.
    expect(readPipelineConfig({ PIPELINE_RETRY_BACKOFF_MS: '120000' }).retryBackoff).toEqual({ initialMs: 120_000, maxMs: 120_000 });
    expect(() => readPipelineConfig({ PIPELINE_RETRY_BACKOFF_MS: '500', PIPELINE_RETRY_BACKOFF_MAX_MS: '100' })).toThrow('PIPELINE_RETRY_BACKOFF_MAX_MS');
    expect(() => readPipelineConfig({ PIPELINE_RETRY_BACKOFF_MS: 'soon' })).toThrow('PIPELINE_RETRY_BACKOFF_MS');
  });

  it('reads how often each stage checks its stored offsets against the ones it stored last', () => {
    expect(readPipelineConfig({}).storeCheckMs).toBe(5_000);
    expect(readPipelineConfig({ PIPELINE_STORE_CHECK_MS: '250' }).storeCheckMs).toBe(250);
    expect(() => readPipelineConfig({ PIPELINE_STORE_CHECK_MS: 'often' })).toThrow('PIPELINE_STORE_CHECK_MS must be an integer from 100 to 3600000');
    // Beyond Node's longest timer (2^31 - 1 ms) setInterval would fire every millisecond instead.
    expect(() => readPipelineConfig({ PIPELINE_STORE_CHECK_MS: String(2 ** 31) })).toThrow('PIPELINE_STORE_CHECK_MS');
    expect(() => readPipelineConfig({ PIPELINE_STORE_CHECK_MS: '0' })).toThrow('PIPELINE_STORE_CHECK_MS');
  });

  it('reads KAFKA_MIN_INSYNC_REPLICAS as the collector does: 1 by default, at most the replication factor', () => {
    expect(readPipelineConfig({}).minInsyncReplicas).toBe(1);
    expect(readPipelineConfig({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' })).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(() => readPipelineConfig({ KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' })).toThrow('KAFKA_MIN_INSYNC_REPLICAS (3) must be at most KAFKA_REPLICATION_FACTOR (2)');
  });

  it('reads the degradation policy: lag_s, 5 s to popularity and 30 s to live_only by default; PIPELINE_DEGRADE_POLICY replaces it', () => {
    expect(readPipelineConfig({}).degradePolicy.triggers.map((t) => [t.signal, t.level, t.enter, t.exit])).toEqual([
      ['lag_s', 'popularity', 5, 1],
      ['lag_s', 'live_only', 30, 10],
    ]);
    const own = { triggers: [{ signal: 'lag_s', level: 'popularity', enter: 2, exit: 1 }], recoverAfterMs: 3_000 };
    expect(readPipelineConfig({ PIPELINE_DEGRADE_POLICY: JSON.stringify(own) }).degradePolicy).toEqual(own);
    expect(() => readPipelineConfig({ PIPELINE_DEGRADE_POLICY: 'lag_s>5' })).toThrow(/^PIPELINE_DEGRADE_POLICY is not JSON/);
    expect(() => readPipelineConfig({ PIPELINE_DEGRADE_POLICY: JSON.stringify({ ...own, triggers: [{ ...own.triggers[0], enter: 'five' }] }) })).toThrow('PIPELINE_DEGRADE_POLICY: triggers.0.enter');
    expect(() => readPipelineConfig({ PIPELINE_DEGRADE_POLICY: JSON.stringify({ ...own, recoverAfterMs: -1 }) })).toThrow('PIPELINE_DEGRADE_POLICY: recoverAfterMs: must not be negative');
    expect(() => readPipelineConfig({ PIPELINE_DEGRADE_POLICY: JSON.stringify({ ...own, triggers: [{ ...own.triggers[0], signal: 'outbox_depth' }] }) })).toThrow(
      'PIPELINE_DEGRADE_POLICY: triggers.0.signal: "outbox_depth" is not measured here; the signals are lag_s',
    );
  });

  it('names the variable that is wrong', () => {
    expect(() => readPipelineConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => readPipelineConfig({ PIPELINE_PORT: 'eighty' })).toThrow(/PIPELINE_PORT/);
  });
});

describe('the state bounds', () => {
  it('keep anonymous profiles 90 days and known users longer by default', () => {
    const { bounds } = readPipelineConfig({});
    expect(bounds.anonymousProfileTtlSeconds).toBe(90 * 24 * 3600);
    expect(bounds.userProfileTtlSeconds).toBe(395 * 24 * 3600);
    expect(bounds.sessionTtlSeconds * 1000).toBeGreaterThan(DEFAULT_PIPELINE_CONFIG.sessionGapMs);
  });

  it('read every bound from its variable', () => {
    const { bounds } = readPipelineConfig({
      PIPELINE_ANONYMOUS_PROFILE_TTL_S: '3',
      PIPELINE_USER_PROFILE_TTL_S: '60',
      PIPELINE_PROFILE_SESSIONS_KEPT: '10',
      PIPELINE_RECENT_PROFILES_KEPT: '1000',
      PIPELINE_POPULARITY_KEPT: '500',
      PIPELINE_CATEGORY_POPULARITY_TTL_S: '86400',
      PIPELINE_EXPERIMENT_TTL_S: '7200',
      PIPELINE_SESSION_GAP_MS: '1000',
      PIPELINE_SESSION_TTL_S: '2',
      PIPELINE_RECS_TTL_S: '5',
    });
    expect(bounds).toEqual({
      anonymousProfileTtlSeconds: 3,
      userProfileTtlSeconds: 60,
      profileSessionsKept: 10,
      recentProfilesKept: 1000,
      popularityKept: 500,
      categoryPopularityTtlSeconds: 86_400,
      experimentTtlSeconds: 7_200,
      sessionTtlSeconds: 2,
      recsTtlSeconds: 5,
    });
  });

  it.each([
    [{ PIPELINE_ANONYMOUS_PROFILE_TTL_S: '0' }, /PIPELINE_ANONYMOUS_PROFILE_TTL_S/],
    [{ PIPELINE_USER_PROFILE_TTL_S: 'a year' }, /PIPELINE_USER_PROFILE_TTL_S/],
    // A top smaller than what a read of recommendations asks for would starve it.
    [{ PIPELINE_POPULARITY_KEPT: '50' }, /PIPELINE_POPULARITY_KEPT must be an integer from 220/],
    // State that vanishes before the ticker could close its session would lose the closing snapshot.
    [{ PIPELINE_SESSION_TTL_S: '1800' }, /PIPELINE_SESSION_TTL_S must be longer than the session gap/],
    [{ PIPELINE_SESSION_GAP_MS: '5000', PIPELINE_SESSION_TTL_S: '5' }, /PIPELINE_SESSION_TTL_S/],
  ])('refuse %o naming the variable', (env, message) => {
    expect(() => readPipelineConfig(env)).toThrow(message);
  });
});

describe('pipeline probes', () => {
  it('is ready only once the consumer joined its group and Redis answers', async () => {
    let joined = false;
    let redis = false;
    const app = createHealthApp({ joined: () => joined, storeAnswers: async () => redis, metrics: createPipelineMetrics({ defaultMetrics: false }).registry });
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(503);
    joined = true;
    expect((await app.request('/readyz')).status).toBe(503);
    redis = true;
    expect((await app.request('/readyz')).status).toBe(200);
  });

  it('serves the metrics in Prometheus text format', async () => {
    const metrics = createPipelineMetrics({ defaultMetrics: false });
    recordBatch(metrics, 'identity', { topic: 'sf.events', partition: 2, lag: 17 }, { applied: 10, replayed: 0, duplicates: 1, unreadable: 0 }, 0.004);
    const app = createHealthApp({ joined: () => true, storeAnswers: async () => true, metrics: metrics.registry });
    const response = await app.request('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('sessionflow_pipeline_lag_records{stage="identity",topic="sf.events",partition="2"} 17');
    expect(text).toContain('sessionflow_pipeline_records_total{stage="identity",topic="sf.events",outcome="applied"} 9');
  });
});

describe('recordBatch', () => {
  it('counts records by outcome (applied without the duplicates and unreadable ones), keeps the latest lag per partition, and times the batch', async () => {
    const metrics = createPipelineMetrics({ defaultMetrics: false });
    const batch = { topic: 'sf.events.by-user', partition: 0 };
    recordBatch(metrics, 'aggregates', { ...batch, lag: 500 }, { applied: 100, replayed: 3, duplicates: 5, unreadable: 2 }, 0.01);
    recordBatch(metrics, 'aggregates', { ...batch, lag: 0 }, { applied: 50, replayed: 0, duplicates: 0, unreadable: 0 }, 0.02);
    const records = new Map((await metrics.records.get()).values.map((v) => [v.labels.outcome, v.value]));
    expect(records).toEqual(new Map([['applied', 93 + 50], ['replayed', 3], ['duplicate', 5], ['unreadable', 2]]));
    expect((await metrics.lag.get()).values).toEqual([{ labels: { stage: 'aggregates', topic: 'sf.events.by-user', partition: '0' }, value: 0 }]);
    const count = (await metrics.batchDuration.get()).values.find((v) => v.metricName === 'sessionflow_pipeline_batch_duration_seconds_count');
    expect(count?.value).toBe(2);
  });
});
