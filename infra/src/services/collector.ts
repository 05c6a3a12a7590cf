/** The collector as a child process (`node collector/dist/main.js`), ready when /readyz says Kafka is reachable. */
import path from 'node:path';
import { repoRoot } from '../paths.js';
import { startHttpService, type HttpService } from './http-service.js';

export interface CollectorOptions {
  port: number;
  brokers: string[];
  /** The relay HMAC secret (RELAY_HMAC_SECRET). */
  secret: string;
  /** The read API's bearer secret, and the Redis it reads; without Redis the read API answers 503. */
  readSecret: string;
  /** The catalog feed's bearer (CATALOG_SECRET). */
  catalogSecret?: string | undefined;
  /** The administration (erasure) bearer (ADMIN_SECRET). */
  adminSecret?: string | undefined;
  /** HMAC key of erasure markers, shared with the pipeline (ERASURE_SECRET). */
  erasureSecret?: string | undefined;
  /** The edge whose visitor objects an erasure reaches (EDGE_URL), and the bearer of its admin routes (EDGE_ADMIN_SECRET). */
  edgeUrl?: string | undefined;
  edgeAdminSecret?: string | undefined;
  redisUrl?: string | undefined;
  topicPrefix?: string;
  partitions?: number;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Only the variables that have a value: an empty one would read as "set, and empty". */
const defined = (vars: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(vars).filter((entry): entry is [string, string] => entry[1] !== undefined));

export function startCollectorProcess(opts: CollectorOptions): Promise<HttpService> {
  return startHttpService({
    name: 'collector',
    command: process.execPath,
    args: [path.join(repoRoot, 'collector', 'dist', 'main.js')],
    env: {
      ...process.env,
      ...opts.env,
      KAFKA_BROKERS: opts.brokers.join(','),
      COLLECTOR_HOST: '127.0.0.1',
      COLLECTOR_PORT: String(opts.port),
      RELAY_HMAC_SECRET: opts.secret,
      READ_API_SECRET: opts.readSecret,
      ...defined({
        CATALOG_SECRET: opts.catalogSecret,
        ADMIN_SECRET: opts.adminSecret,
        ERASURE_SECRET: opts.erasureSecret,
        EDGE_URL: opts.edgeUrl,
        EDGE_ADMIN_SECRET: opts.edgeAdminSecret,
        REDIS_URL: opts.redisUrl,
      }),
      TOPIC_PREFIX: opts.topicPrefix ?? 'sf',
      TOPIC_PARTITIONS: String(opts.partitions ?? 3),
    },
    logFile: opts.logFile,
    port: opts.port,
    readyPath: '/readyz',
    readyTimeoutMs: 60_000,
    // Room to flush in-flight sends to Kafka.
    stopGraceMs: 20_000,
  });
}
