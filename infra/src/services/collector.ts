/** The collector as a child process (`node collector/dist/main.js`), ready when /readyz says Kafka is reachable. */
import path from 'node:path';
import { repoRoot } from '../paths.js';
import { startHttpService, type HttpService } from './http-service.js';

export interface CollectorOptions {
  port: number;
  brokers: string[];
  secret: string;
  /** The read API's bearer secret, and the Redis it reads; without Redis the read API answers 503. */
  readSecret: string;
  redisUrl?: string | undefined;
  topicPrefix?: string;
  partitions?: number;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

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
      ...(opts.redisUrl !== undefined ? { REDIS_URL: opts.redisUrl } : {}),
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
