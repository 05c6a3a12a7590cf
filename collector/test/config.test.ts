import { describe, expect, it } from 'vitest';
import { collectorDegradePolicy, DEFAULT_CONFIG, DEV_RELAY_SECRET, DEV_SECRETS, readConfig, startupChecks } from '../src/config.js';

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
      COLLECTOR_MAX_PENDING_BYTES: '1000000',
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
      maxPendingBytes: 1_000_000,
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

  it('reads KAFKA_MIN_INSYNC_REPLICAS: 1 by default, at most the replication factor', () => {
    expect(readConfig({}).minInsyncReplicas).toBe(1);
    expect(readConfig({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' })).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(readConfig({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '3' }).minInsyncReplicas).toBe(3);
    expect(() => readConfig({ KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow('KAFKA_MIN_INSYNC_REPLICAS (2) must be at most KAFKA_REPLICATION_FACTOR (1)');
    expect(() => readConfig({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '4' })).toThrow('KAFKA_REPLICATION_FACTOR (3)');
    expect(() => readConfig({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '0' })).toThrow('KAFKA_MIN_INSYNC_REPLICAS must be an integer from 1');
    expect(() => readConfig({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: 'two' })).toThrow('KAFKA_MIN_INSYNC_REPLICAS');
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

  it("reads each scope's secret from its own variable, and the edge admin endpoint as a pair", () => {
    const config = readConfig({
      CATALOG_SECRET: 'catalog-value',
      ADMIN_SECRET: 'admin-value',
      ERASURE_SECRET: 'erasure value with spaces',
      EDGE_URL: 'https://edge.example.com',
      EDGE_ADMIN_SECRET: 'edge-admin-value',
      SESSIONFLOW_DEV: '1',
    });
    expect(config).toMatchObject({
      catalogSecret: 'catalog-value',
      adminSecret: 'admin-value',
      erasureSecret: 'erasure value with spaces',
      edgeUrl: 'https://edge.example.com',
      edgeAdminSecret: 'edge-admin-value',
      devMode: true,
    });
    expect(readConfig({})).toMatchObject({ catalogSecret: DEV_SECRETS.catalog, adminSecret: DEV_SECRETS.admin, erasureSecret: DEV_SECRETS.erasure, edgeUrl: undefined, edgeAdminSecret: undefined });
    // An edge URL without its secret gets the development default, which the policy then judges.
    expect(readConfig({ EDGE_URL: 'http://127.0.0.1:8787' }).edgeAdminSecret).toBe(DEV_SECRETS.edgeAdmin);
    expect(() => readConfig({ EDGE_ADMIN_SECRET: 'x'.repeat(40) })).toThrow(/EDGE_ADMIN_SECRET is set but EDGE_URL is not/);
    expect(() => readConfig({ EDGE_URL: 'edge.example.com' })).toThrow('EDGE_URL');
    expect(() => readConfig({ CATALOG_SECRET: 'has space' })).toThrow('CATALOG_SECRET');
    expect(() => readConfig({ ADMIN_SECRET: 'a"b' })).toThrow('ADMIN_SECRET');
  });
});

describe('the pending bytes bound and the degradation policy', () => {
  it('refuses the variable COLLECTOR_MAX_PENDING_BYTES replaced, naming both', () => {
    expect(() => readConfig({ COLLECTOR_QUEUE_MAX_BYTES: '1000' })).toThrow(/COLLECTOR_QUEUE_MAX_BYTES is replaced by COLLECTOR_MAX_PENDING_BYTES/);
  });

  it('derives the default policy from the bound: a quarter of it drops profile reads, half stops decisions', () => {
    const policy = collectorDegradePolicy(readConfig({ COLLECTOR_MAX_PENDING_BYTES: '800' }));
    const pending = policy.triggers.filter((t) => t.signal === 'pending_bytes').map((t) => [t.level, t.enter, t.exit]);
    expect(pending).toEqual([
      ['live_only', 200, 100],
      ['data_only', 400, 200],
    ]);
    expect(policy.triggers.some((t) => t.signal === 'produce_p99_ms')).toBe(true);
  });

  it('takes COLLECTOR_DEGRADE_POLICY as JSON, and refuses a bad one naming the variable and the path', () => {
    const own = { triggers: [{ signal: 'pending_bytes', level: 'data_only', enter: 10, exit: 5 }], recoverAfterMs: 500 };
    expect(collectorDegradePolicy(readConfig({ COLLECTOR_DEGRADE_POLICY: JSON.stringify(own) }))).toEqual(own);
    expect(() => readConfig({ COLLECTOR_DEGRADE_POLICY: '{"triggers":' })).toThrow(/^COLLECTOR_DEGRADE_POLICY is not JSON/);
    expect(() => readConfig({ COLLECTOR_DEGRADE_POLICY: JSON.stringify({ ...own, triggers: [{ ...own.triggers[0], exit: 11 }] }) })).toThrow('COLLECTOR_DEGRADE_POLICY: triggers.0: exit must not be above enter');
    expect(() => readConfig({ COLLECTOR_DEGRADE_POLICY: JSON.stringify({ ...own, triggers: [{ ...own.triggers[0], level: 'full' }] }) })).toThrow('COLLECTOR_DEGRADE_POLICY: triggers.0.level');
    expect(() => readConfig({ COLLECTOR_DEGRADE_POLICY: JSON.stringify({ triggers: [] }) })).toThrow('COLLECTOR_DEGRADE_POLICY: recoverAfterMs: is required');
    // A signal the collector does not measure would never fire.
    expect(() => readConfig({ COLLECTOR_DEGRADE_POLICY: JSON.stringify({ ...own, triggers: [{ ...own.triggers[0], signal: 'lag_s' }] }) })).toThrow(
      'COLLECTOR_DEGRADE_POLICY: triggers.0.signal: "lag_s" is not measured here; the signals are produce_p99_ms, pending_bytes',
    );
  });
});

describe('startupChecks', () => {
  const strong = (scope: string) => `${scope}-${'k'.repeat(40)}`;
  const strongEnv = {
    COLLECTOR_HOST: '0.0.0.0',
    RELAY_HMAC_SECRET: strong('relay'),
    READ_API_SECRET: strong('read'),
    CATALOG_SECRET: strong('catalog'),
    ADMIN_SECRET: strong('admin'),
    ERASURE_SECRET: strong('erasure'),
    EDGE_URL: 'https://edge.example.com',
    EDGE_ADMIN_SECRET: strong('edge-admin'),
  };

  it('starts anywhere with a strong secret per scope, and warns of nothing', () => {
    expect(startupChecks(readConfig(strongEnv))).toEqual([]);
  });

  it.each([
    ['RELAY_HMAC_SECRET', undefined],
    ['READ_API_SECRET', DEV_SECRETS.read],
    ['CATALOG_SECRET', 'short-catalog-secret'],
    ['ADMIN_SECRET', undefined],
    ['ERASURE_SECRET', DEV_SECRETS.erasure],
    ['EDGE_ADMIN_SECRET', 'x'.repeat(31)],
  ])('refuses %s=%s off loopback, naming the variable', (variable, value) => {
    const config = readConfig({ ...strongEnv, [variable]: value });
    expect(() => startupChecks(config)).toThrow(variable);
    expect(() => startupChecks(config)).toThrow('openssl rand -base64 32');
  });

  it('counts bytes, not characters: 16 two-byte characters are 32 bytes', () => {
    expect(() => startupChecks(readConfig({ ...strongEnv, ERASURE_SECRET: 'é'.repeat(16) }))).not.toThrow();
    expect(() => startupChecks(readConfig({ ...strongEnv, ERASURE_SECRET: 'é'.repeat(15) + 'e' }))).toThrow('ERASURE_SECRET');
  });

  it('refuses two scopes sharing one value, naming both', () => {
    const config = readConfig({ ...strongEnv, ADMIN_SECRET: strongEnv.READ_API_SECRET });
    expect(() => startupChecks(config)).toThrow(/READ_API_SECRET and ADMIN_SECRET hold the same value/);
  });

  it('on loopback or with SESSIONFLOW_DEV=1 uses the development defaults with a warning per variable', () => {
    for (const env of [{}, { COLLECTOR_HOST: '::1' }, { COLLECTOR_HOST: 'localhost' }, { COLLECTOR_HOST: '0.0.0.0', SESSIONFLOW_DEV: '1' }]) {
      const warnings = startupChecks(readConfig(env));
      for (const variable of ['RELAY_HMAC_SECRET', 'READ_API_SECRET', 'CATALOG_SECRET', 'ADMIN_SECRET', 'ERASURE_SECRET']) {
        expect(warnings.some((w) => w.startsWith(variable))).toBe(true);
      }
      expect(warnings.some((w) => w.startsWith('EDGE_URL is not set'))).toBe(true);
    }
  });

  it('refuses the development defaults on any address that is not loopback', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'collector.internal']) {
      expect(() => startupChecks(readConfig({ COLLECTOR_HOST: host }))).toThrow(/RELAY_HMAC_SECRET[\s\S]*READ_API_SECRET[\s\S]*CATALOG_SECRET[\s\S]*ADMIN_SECRET[\s\S]*ERASURE_SECRET/);
    }
  });
});
