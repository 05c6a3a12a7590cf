/**
 * The collector's configuration: typed, read once at start-up, with defaults
 * that run against the local stack and environment variables that point it at
 * real clusters.
 */
import { isLogLevel, type LogLevel } from './log.js';
import { readExperiments, type ExperimentSetup } from './pipeline/experiments/config.js';
import { enforceSecrets, type SecretSetting } from './secrets/policy.js';
import { storeUrls } from './store/urls.js';
import { DAY_MS, DEFAULT_TOPIC_BOUNDS, MINUTE_MS, type TopicBounds } from './kafka/topic-bounds.js';
import type { DegradePolicy } from '@sessionflow/core';
import { COLLECTOR_SIGNALS, defaultCollectorPolicy } from './degrade/collector-level.js';
import { readDegradePolicy } from './degrade/policy-config.js';

/**
 * The development defaults of every secret: known to anyone who reads this
 * repository, so accepted only on loopback or with SESSIONFLOW_DEV=1
 * (secrets/policy.ts), and with a warning there.
 */
export const DEV_SECRETS = Object.freeze({
  relay: 'local-dev-relay-secret',
  read: 'local-dev-read-secret',
  catalog: 'local-dev-catalog-secret',
  admin: 'local-dev-admin-secret',
  erasure: 'local-dev-erasure-secret',
  edgeAdmin: 'local-dev-edge-admin-secret',
});
export const DEV_RELAY_SECRET = DEV_SECRETS.relay;
export const DEV_READ_SECRET = DEV_SECRETS.read;

export interface CollectorConfig {
  /** Interface the HTTP server binds to. */
  host: string;
  /** 0 picks a free port (tests, benchmarks). */
  port: number;
  kafkaBrokers: string[];
  kafkaClientId: string;
  /** Topics are `<prefix>.events` and `<prefix>.events.dlq`. */
  topicPrefix: string;
  /** Partitions for topics the collector creates; existing topics keep theirs. */
  topicPartitions: number;
  replicationFactor: number;
  /**
   * `KAFKA_MIN_INSYNC_REPLICAS`: the `min.insync.replicas` of topics the collector creates, at most the
   * replication factor. With acks=all, a write is refused (and ingest answers 503) while fewer replicas are in sync.
   */
  minInsyncReplicas: number;
  /** Retention and compaction of every topic (kafka/topic-bounds.ts), set at creation and on existing topics at start. */
  topicBounds: TopicBounds;
  /** `RELAY_HMAC_SECRET`, shared with the edge: HMAC-SHA256 key of the relay signature (`POST /v1/ingest`). */
  relaySecret: string;
  /**
   * `READ_API_SECRET`: bearer of the reads the edge makes (`/v1/recs`, `/v1/inventory`, `/v1/profile/*`,
   * `/v1/experiments/*`, `/v1/rollups/*`). Bearer secrets hold letters, digits and `._~+/-` (then `=`) only.
   */
  readSecret: string;
  /** `CATALOG_SECRET`: bearer of the catalog feed (`POST /v1/catalog`), which the site's server pushes. */
  catalogSecret: string;
  /** `ADMIN_SECRET`: bearer of administration, erasure (`DELETE /v1/users/:userId`). */
  adminSecret: string;
  /** `ERASURE_SECRET`: HMAC key of the erasure markers, shared with the pipeline. */
  erasureSecret: string;
  /** `EDGE_URL`: the edge whose `/v1/admin/erase` an erasure calls; unset, an erasure says it did not reach the edge. */
  edgeUrl: string | undefined;
  /** `EDGE_ADMIN_SECRET`: the edge's `ADMIN_SECRET`, bearer of its `/v1/admin/*`; only with `edgeUrl`. */
  edgeAdminSecret: string | undefined;
  /** `SESSIONFLOW_DEV=1`: weak secrets are warned about instead of refused, wherever the collector listens. */
  devMode: boolean;
  /** The online store the pipeline fills; unset, the read routes answer 503 and ingest runs alone. */
  redisUrl: string | undefined;
  /** Bodies over this many bytes get 413 before they are parsed. */
  bodyLimitBytes: number;
  /** Upper bound of records in one produce request. */
  batchMaxRecords: number;
  /**
   * Upper bound of key+value bytes in one produce request. One partition may
   * receive the whole batch, so keep it under the broker's `message.max.bytes`
   * (1 MiB by default).
   */
  batchMaxBytes: number;
  /** How long an idle batcher waits for company before sending (0 = the next turn of the event loop). */
  batchLingerMs: number;
  /**
   * `COLLECTOR_MAX_PENDING_BYTES`: key+value bytes handed to Kafka and not yet acknowledged (waiting and in
   * flight) beyond which ingest answers 503 with Retry-After, taking nothing of the request (back-pressure:
   * the edge's outbox keeps the batch).
   */
  maxPendingBytes: number;
  /**
   * `COLLECTOR_DEGRADE_POLICY` (JSON, core's DegradePolicy over `produce_p99_ms` and `pending_bytes`);
   * undefined: the default for `maxPendingBytes` (degrade/collector-level.ts).
   */
  degradePolicy: DegradePolicy | undefined;
  /** A request not acknowledged by Kafka within this time is answered 503. */
  produceTimeoutMs: number;
  /** `/readyz` asks Kafka at most once per this many ms. */
  readinessCacheMs: number;
  /** A Kafka metadata request slower than this counts as not ready. */
  readinessTimeoutMs: number;
  /**
   * Run the Kafka producer on its own thread (default): encoding produce
   * requests then uses the second core instead of taking turns with HTTP.
   */
  producerThread: boolean;
  /** Upper bound on the graceful part of shutdown before connections are cut. */
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  /** The experiments `GET /v1/experiments/:key` reads out (`EXPERIMENTS`, as the pipeline's `PIPELINE_EXPERIMENTS`). */
  experiments: ExperimentSetup[];
}

export const DEFAULT_CONFIG: CollectorConfig = {
  host: '127.0.0.1',
  port: 8788,
  kafkaBrokers: ['127.0.0.1:29092'],
  kafkaClientId: 'sessionflow-collector',
  topicPrefix: 'sf',
  topicPartitions: 3,
  replicationFactor: 1,
  minInsyncReplicas: 1,
  topicBounds: { ...DEFAULT_TOPIC_BOUNDS },
  relaySecret: DEV_SECRETS.relay,
  readSecret: DEV_SECRETS.read,
  catalogSecret: DEV_SECRETS.catalog,
  adminSecret: DEV_SECRETS.admin,
  erasureSecret: DEV_SECRETS.erasure,
  edgeUrl: undefined,
  edgeAdminSecret: undefined,
  devMode: false,
  redisUrl: undefined,
  bodyLimitBytes: 1024 * 1024,
  batchMaxRecords: 10_000,
  batchMaxBytes: 900_000,
  batchLingerMs: 0,
  maxPendingBytes: 64 * 1024 * 1024,
  degradePolicy: undefined,
  produceTimeoutMs: 5_000,
  readinessCacheMs: 1_000,
  readinessTimeoutMs: 800,
  producerThread: true,
  shutdownTimeoutMs: 15_000,
  logLevel: 'info',
  experiments: readExperiments({}, 'EXPERIMENTS'),
};

export type Env = Record<string, string | undefined>;

/** Reads the configuration from the environment; throws naming the variable when a value is unusable. */
export function readConfig(env: Env = process.env): CollectorConfig {
  const d = DEFAULT_CONFIG;
  const replicationFactor = integer(env, 'KAFKA_REPLICATION_FACTOR', d.replicationFactor, 1, 100);
  return {
    host: text(env, 'COLLECTOR_HOST', d.host),
    port: integer(env, 'COLLECTOR_PORT', d.port, 0, 65_535),
    kafkaBrokers: list(env, 'KAFKA_BROKERS', d.kafkaBrokers),
    kafkaClientId: text(env, 'KAFKA_CLIENT_ID', d.kafkaClientId),
    topicPrefix: topicPrefix(env, d.topicPrefix),
    topicPartitions: integer(env, 'TOPIC_PARTITIONS', d.topicPartitions, 1, 10_000),
    replicationFactor,
    minInsyncReplicas: minInsyncReplicas(env, d.minInsyncReplicas, replicationFactor),
    topicBounds: readTopicBounds(env),
    relaySecret: text(env, 'RELAY_HMAC_SECRET', d.relaySecret),
    readSecret: bearerToken(env, 'READ_API_SECRET', d.readSecret),
    catalogSecret: bearerToken(env, 'CATALOG_SECRET', d.catalogSecret),
    adminSecret: bearerToken(env, 'ADMIN_SECRET', d.adminSecret),
    erasureSecret: text(env, 'ERASURE_SECRET', d.erasureSecret),
    ...edgeAdmin(env),
    devMode: flag(env, 'SESSIONFLOW_DEV', d.devMode),
    redisUrl: optionalStoreUrl(env, 'REDIS_URL'),
    bodyLimitBytes: integer(env, 'COLLECTOR_BODY_LIMIT_BYTES', d.bodyLimitBytes, 1, 64 * 1024 * 1024),
    batchMaxRecords: integer(env, 'COLLECTOR_BATCH_MAX_RECORDS', d.batchMaxRecords, 1, 1_000_000),
    batchMaxBytes: integer(env, 'COLLECTOR_BATCH_MAX_BYTES', d.batchMaxBytes, 1, 512 * 1024 * 1024),
    batchLingerMs: integer(env, 'COLLECTOR_BATCH_LINGER_MS', d.batchLingerMs, 0, 60_000),
    maxPendingBytes: maxPendingBytes(env, d.maxPendingBytes),
    degradePolicy: degradePolicy(env),
    produceTimeoutMs: integer(env, 'COLLECTOR_PRODUCE_TIMEOUT_MS', d.produceTimeoutMs, 1, 600_000),
    readinessCacheMs: integer(env, 'COLLECTOR_READINESS_CACHE_MS', d.readinessCacheMs, 0, 600_000),
    readinessTimeoutMs: integer(env, 'COLLECTOR_READINESS_TIMEOUT_MS', d.readinessTimeoutMs, 1, 600_000),
    producerThread: flag(env, 'COLLECTOR_PRODUCER_THREAD', d.producerThread),
    shutdownTimeoutMs: integer(env, 'COLLECTOR_SHUTDOWN_TIMEOUT_MS', d.shutdownTimeoutMs, 0, 600_000),
    logLevel: level(env, 'LOG_LEVEL', d.logLevel),
    experiments: readExperiments(env, 'EXPERIMENTS'),
  };
}

/** `COLLECTOR_MAX_PENDING_BYTES`; the variable it replaced is refused by name, since it counted less (the bytes waiting only). */
function maxPendingBytes(env: Env, fallback: number): number {
  if (env['COLLECTOR_QUEUE_MAX_BYTES']?.trim()) {
    throw new Error('COLLECTOR_QUEUE_MAX_BYTES is replaced by COLLECTOR_MAX_PENDING_BYTES, which counts the bytes in flight to Kafka too: set that one instead');
  }
  return integer(env, 'COLLECTOR_MAX_PENDING_BYTES', fallback, 1, Number.MAX_SAFE_INTEGER);
}

/** `COLLECTOR_DEGRADE_POLICY` as JSON, checked now (start-up refuses a bad one naming its path); unset: undefined, the default. */
function degradePolicy(env: Env): DegradePolicy | undefined {
  if (!env['COLLECTOR_DEGRADE_POLICY']?.trim()) return undefined;
  return readDegradePolicy(env, 'COLLECTOR_DEGRADE_POLICY', defaultCollectorPolicy(DEFAULT_CONFIG.maxPendingBytes), COLLECTOR_SIGNALS);
}

/** The policy in force: `COLLECTOR_DEGRADE_POLICY`, else the default for the pending bytes' bound. */
export function collectorDegradePolicy(config: Pick<CollectorConfig, 'degradePolicy' | 'maxPendingBytes'>): DegradePolicy {
  return config.degradePolicy ?? defaultCollectorPolicy(config.maxPendingBytes);
}

/** The topics' bounds (kafka/topic-bounds.ts): the collector and the pipeline read the same variables. */
export function readTopicBounds(env: Env): TopicBounds {
  const d = DEFAULT_TOPIC_BOUNDS;
  const ms = (name: string, fallback: number) => integer(env, name, fallback, MINUTE_MS, 3650 * DAY_MS);
  const bytes = (name: string, fallback: number) => (env[name]?.trim() === '-1' ? -1 : integer(env, name, fallback, 1024 * 1024, Number.MAX_SAFE_INTEGER));
  return {
    eventsRetentionMs: ms('TOPIC_EVENTS_RETENTION_MS', d.eventsRetentionMs),
    eventsRetentionBytes: bytes('TOPIC_EVENTS_RETENTION_BYTES', d.eventsRetentionBytes),
    dlqRetentionBytes: bytes('TOPIC_DLQ_RETENTION_BYTES', d.dlqRetentionBytes),
    stateRetentionMs: ms('TOPIC_STATE_RETENTION_MS', d.stateRetentionMs),
    segmentMs: ms('TOPIC_SEGMENT_MS', d.segmentMs),
    maxCompactionLagMs: ms('TOPIC_MAX_COMPACTION_LAG_MS', d.maxCompactionLagMs),
  };
}

/** The edge's admin endpoint: both or neither; a secret without a URL is a mistake worth stopping for. */
function edgeAdmin(env: Env): Pick<CollectorConfig, 'edgeUrl' | 'edgeAdminSecret'> {
  const edgeUrl = optionalUrl(env, 'EDGE_URL', ['http:', 'https:']);
  const secret = env['EDGE_ADMIN_SECRET']?.trim();
  if (edgeUrl === undefined) {
    if (secret) throw new Error('EDGE_ADMIN_SECRET is set but EDGE_URL is not: set EDGE_URL to the edge (e.g. https://edge.example.com), or unset EDGE_ADMIN_SECRET');
    return { edgeUrl: undefined, edgeAdminSecret: undefined };
  }
  return { edgeUrl, edgeAdminSecret: bearerToken(env, 'EDGE_ADMIN_SECRET', DEV_SECRETS.edgeAdmin) };
}

/** The collector's secrets with their variables, as secrets/policy.ts judges them. */
export function collectorSecrets(config: CollectorConfig): SecretSetting[] {
  const secrets: SecretSetting[] = [
    { variable: 'RELAY_HMAC_SECRET', value: config.relaySecret, devDefault: DEV_SECRETS.relay },
    { variable: 'READ_API_SECRET', value: config.readSecret, devDefault: DEV_SECRETS.read },
    { variable: 'CATALOG_SECRET', value: config.catalogSecret, devDefault: DEV_SECRETS.catalog },
    { variable: 'ADMIN_SECRET', value: config.adminSecret, devDefault: DEV_SECRETS.admin },
    { variable: 'ERASURE_SECRET', value: config.erasureSecret, devDefault: DEV_SECRETS.erasure },
  ];
  if (config.edgeAdminSecret !== undefined) secrets.push({ variable: 'EDGE_ADMIN_SECRET', value: config.edgeAdminSecret, devDefault: DEV_SECRETS.edgeAdmin });
  return secrets;
}

/**
 * What start-up checks before it connects to anything: throws (naming the
 * variables) when a secret is refused (secrets/policy.ts); else the lines to
 * warn with, for settings that are fine locally and wrong anywhere else.
 */
export function startupChecks(config: CollectorConfig): string[] {
  const warnings = enforceSecrets('the collector', { secrets: collectorSecrets(config), host: config.host, hostVariable: 'COLLECTOR_HOST', devMode: config.devMode });
  if (config.edgeUrl === undefined) warnings.push('EDGE_URL is not set: an erasure cannot reach the visitor objects at the edge, and says so in its answer');
  return warnings;
}

export function text(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  return raw ? raw : fallback;
}

/**
 * `TOPIC_PREFIX`: the topics' names start with it, and every Redis key. Kafka's
 * topic characters only, so no prefix can hold a `{` and pick the hash slot
 * of every key (store/owner.ts), nor a `:` that looks like a key's separator.
 */
export function topicPrefix(env: Env, fallback: string): string {
  const value = text(env, 'TOPIC_PREFIX', fallback);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(value)) throw new Error('TOPIC_PREFIX may hold only letters, digits and ._- (1 to 100 of them: it starts every topic name and Redis key)');
  return value;
}

/** What hono's bearerAuth accepts as a token (RFC 6750 b64token). */
function bearerToken(env: Env, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  if (!/^[A-Za-z0-9._~+/-]+=*$/.test(value)) throw new Error(`${name} may hold only letters, digits and ._~+/-, then = (a bearer token, as \`openssl rand -base64 32\` prints)`);
  return value;
}

export function optionalUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be a URL such as redis://127.0.0.1:6379 (got "${raw}")`);
  }
  if (!protocols.includes(url.protocol)) throw new Error(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${raw}")`);
  return raw;
}

/** A store's URL: one redis:// URL, or several separated by commas (the nodes of a Redis Cluster; store/urls.ts). */
export function optionalStoreUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  storeUrls(raw, name);
  return raw;
}

export function list(env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new Error(`${name} must be a comma-separated list of host:port`);
  return items;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

/** `KAFKA_MIN_INSYNC_REPLICAS`: from 1 to the replication factor, since more replicas in sync than exist would refuse every write. */
export function minInsyncReplicas(env: Env, fallback: number, replicationFactor: number): number {
  const value = integer(env, 'KAFKA_MIN_INSYNC_REPLICAS', fallback, 1, 100);
  if (value > replicationFactor) {
    throw new Error(
      `KAFKA_MIN_INSYNC_REPLICAS (${value}) must be at most KAFKA_REPLICATION_FACTOR (${replicationFactor}): a topic cannot have more replicas in sync than it has replicas, and every write would be refused`,
    );
  }
  return value;
}

export function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false (got "${raw}")`);
}

export function level(env: Env, name: string, fallback: LogLevel): LogLevel {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (!isLogLevel(raw)) throw new Error(`${name} must be one of debug, info, warn, error (got "${raw}")`);
  return raw;
}
