/**
 * The pipeline's configuration: typed, read once at start-up, with defaults
 * that run against the local stack (`npm start`) and environment variables
 * that point it at real clusters. Shares the collector's variable names where
 * the meaning is the same.
 */
import { DEFAULT_CONFIG, DEV_SECRETS, flag, integer, level, list, minInsyncReplicas, optionalStoreUrl, readTopicBounds, text, topicPrefix, type Env } from '../config.js';
import type { TopicBounds } from '../kafka/topic-bounds.js';
import { DEFAULT_RETRY_BACKOFF, type RetryBackoff } from './partition-stops.js';
import { STORE_CHECK_MS } from './stage-consumer.js';
import { enforceSecrets } from '../secrets/policy.js';
import type { LogLevel } from '../log.js';
import { DEFAULT_SESSION_POLICY } from '@sessionflow/core';
import { readExperiments, type ExperimentSetup } from './experiments/config.js';
import { DEFAULT_STATE_BOUNDS, type StateBounds } from '../store/bounds.js';
import { readStateBounds } from './bounds-config.js';
import type { DegradePolicy } from '@sessionflow/core';
import { readDegradePolicy } from '../degrade/policy-config.js';

/** What the pipeline measures for its level: `lag_s`, the worst stage's lag in seconds (degrade/pipeline-level.ts). */
export const PIPELINE_SIGNALS = ['lag_s'] as const;

/**
 * The pipeline's default degradation policy (`PIPELINE_DEGRADE_POLICY` replaces it), on `lag_s`, the worst
 * stage's lag in seconds: 5 s behind, session recommendations would be stale (popularity, until under 1 s);
 * 30 s behind, profiles would be too (live_only, until under 10 s). A level goes up one step after 10 s of calm.
 */
export const DEFAULT_PIPELINE_DEGRADE_POLICY: DegradePolicy = {
  triggers: [
    { signal: 'lag_s', level: 'popularity', enter: 5, exit: 1 },
    { signal: 'lag_s', level: 'live_only', enter: 30, exit: 10 },
  ],
  recoverAfterMs: 10_000,
};

export interface PipelineConfig {
  kafkaBrokers: string[];
  kafkaClientId: string;
  redisUrl: string;
  /** Topics `<prefix>.events` …; also the namespace of every Redis key. */
  topicPrefix: string;
  /** The consumer group: instances with the same id share the partitions. */
  groupId: string;
  /** Where `/healthz` and `/readyz` listen (0 = any free port). */
  host: string;
  port: number;
  /** How long an event id is remembered so a duplicate counts once. */
  dedupeTtlSeconds: number;
  /** For topics the pipeline creates when it starts before the collector. */
  topicPartitions: number;
  replicationFactor: number;
  /** `KAFKA_MIN_INSYNC_REPLICAS` of the topics the pipeline creates, as the collector's (at most the replication factor). */
  minInsyncReplicas: number;
  /** Retention and compaction of every topic, as the collector's (`TOPIC_*` variables). */
  topicBounds: TopicBounds;
  logLevel: LogLevel;
  /** Least time between two open snapshots of a session with new activity (sessions/). */
  snapshotIntervalMs: number;
  /** Idle time after which a session gets its closing snapshot: core's gap, shorter only for tests. */
  sessionGapMs: number;
  /** The experiments counted (`PIPELINE_EXPERIMENTS`, see experiments/config.ts). */
  experiments: ExperimentSetup[];
  /** How long and how much state is kept: TTLs, trims and counts of every key (store/bounds.ts, bounds-config.ts). */
  bounds: StateBounds;
  /** A partition whose batch failed is tried again after `initialMs`, doubling up to `maxMs` (partition-stops.ts). */
  retryBackoff: RetryBackoff;
  /** How often each stage compares the stored offsets of its partitions with the ones it stored last: how soon a store that lost writes (a failover) is replayed on a partition with no new records (stage-consumer.ts). */
  storeCheckMs: number;
  /** `ERASURE_SECRET`: HMAC key of the erasure markers, the collector's. */
  erasureSecret: string;
  /** `SESSIONFLOW_DEV=1`: a weak secret is warned about instead of refused, wherever the probes listen. */
  devMode: boolean;
  /** `PIPELINE_DEGRADE_POLICY`: how the instance's level follows its lag (degrade/pipeline-level.ts). */
  degradePolicy: DegradePolicy;
}

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  kafkaBrokers: DEFAULT_CONFIG.kafkaBrokers,
  kafkaClientId: 'sessionflow-pipeline',
  redisUrl: 'redis://127.0.0.1:6379',
  topicPrefix: DEFAULT_CONFIG.topicPrefix,
  groupId: 'sf-pipeline',
  host: '127.0.0.1',
  port: 8790,
  dedupeTtlSeconds: 24 * 60 * 60,
  topicPartitions: DEFAULT_CONFIG.topicPartitions,
  replicationFactor: DEFAULT_CONFIG.replicationFactor,
  minInsyncReplicas: DEFAULT_CONFIG.minInsyncReplicas,
  topicBounds: DEFAULT_CONFIG.topicBounds,
  logLevel: 'info',
  snapshotIntervalMs: 5_000,
  sessionGapMs: DEFAULT_SESSION_POLICY.inactivityGapMs,
  experiments: readExperiments({}, 'PIPELINE_EXPERIMENTS'),
  bounds: DEFAULT_STATE_BOUNDS,
  retryBackoff: { ...DEFAULT_RETRY_BACKOFF },
  storeCheckMs: STORE_CHECK_MS,
  erasureSecret: DEV_SECRETS.erasure,
  devMode: false,
  degradePolicy: DEFAULT_PIPELINE_DEGRADE_POLICY,
};

/** Reads the configuration from the environment; throws naming the variable when a value is unusable. */
export function readPipelineConfig(env: Env = process.env): PipelineConfig {
  const d = DEFAULT_PIPELINE_CONFIG;
  const sessionGapMs = integer(env, 'PIPELINE_SESSION_GAP_MS', d.sessionGapMs, 1_000, 7 * 24 * 3_600_000);
  const replicationFactor = integer(env, 'KAFKA_REPLICATION_FACTOR', d.replicationFactor, 1, 100);
  return {
    kafkaBrokers: list(env, 'KAFKA_BROKERS', d.kafkaBrokers),
    kafkaClientId: text(env, 'PIPELINE_KAFKA_CLIENT_ID', d.kafkaClientId),
    redisUrl: optionalStoreUrl(env, 'REDIS_URL') ?? d.redisUrl,
    topicPrefix: topicPrefix(env, d.topicPrefix),
    groupId: text(env, 'PIPELINE_GROUP', d.groupId),
    host: text(env, 'PIPELINE_HOST', d.host),
    port: integer(env, 'PIPELINE_PORT', d.port, 0, 65_535),
    dedupeTtlSeconds: integer(env, 'PIPELINE_DEDUPE_TTL_S', d.dedupeTtlSeconds, 1, 365 * 24 * 60 * 60),
    topicPartitions: integer(env, 'TOPIC_PARTITIONS', d.topicPartitions, 1, 10_000),
    replicationFactor,
    minInsyncReplicas: minInsyncReplicas(env, d.minInsyncReplicas, replicationFactor),
    topicBounds: readTopicBounds(env),
    logLevel: level(env, 'LOG_LEVEL', d.logLevel),
    snapshotIntervalMs: integer(env, 'PIPELINE_SNAPSHOT_INTERVAL_MS', d.snapshotIntervalMs, 100, 3_600_000),
    sessionGapMs,
    experiments: readExperiments(env, 'PIPELINE_EXPERIMENTS'),
    bounds: readStateBounds(env, sessionGapMs),
    retryBackoff: retryBackoff(env, d.retryBackoff),
    storeCheckMs: integer(env, 'PIPELINE_STORE_CHECK_MS', d.storeCheckMs, 100, 3_600_000),
    erasureSecret: text(env, 'ERASURE_SECRET', d.erasureSecret),
    devMode: flag(env, 'SESSIONFLOW_DEV', d.devMode),
    degradePolicy: readDegradePolicy(env, 'PIPELINE_DEGRADE_POLICY', d.degradePolicy, PIPELINE_SIGNALS),
  };
}

function retryBackoff(env: Env, d: RetryBackoff): RetryBackoff {
  const initialMs = integer(env, 'PIPELINE_RETRY_BACKOFF_MS', d.initialMs, 10, 3_600_000);
  const maxMs = integer(env, 'PIPELINE_RETRY_BACKOFF_MAX_MS', Math.max(d.maxMs, initialMs), 10, 3_600_000);
  if (maxMs < initialMs) throw new Error(`PIPELINE_RETRY_BACKOFF_MAX_MS must be at least PIPELINE_RETRY_BACKOFF_MS (${initialMs})`);
  return { initialMs, maxMs };
}

/**
 * Before the pipeline connects to anything: throws naming ERASURE_SECRET when
 * it is refused (../secrets/policy.ts; its probes' host, PIPELINE_HOST, decides
 * loopback), else the warnings to log.
 */
export function pipelineStartupChecks(config: PipelineConfig): string[] {
  return enforceSecrets('the pipeline', {
    secrets: [{ variable: 'ERASURE_SECRET', value: config.erasureSecret, devDefault: DEV_SECRETS.erasure }],
    host: config.host,
    hostVariable: 'PIPELINE_HOST',
    devMode: config.devMode,
  });
}
