/** The pipeline as a child process (`node collector/dist/pipeline/main.js`), ready when /readyz says it joined its group and Redis answers. */
import path from 'node:path';
import { repoRoot } from '../paths.js';
import { startHttpService, type HttpService } from './http-service.js';

export interface PipelineOptions {
  port: number;
  brokers: string[];
  redisUrl: string;
  /** HMAC key of erasure markers, the collector's too (ERASURE_SECRET). */
  erasureSecret?: string | undefined;
  topicPrefix?: string;
  partitions?: number;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** The pipeline's entry script; this tree's `collector/dist/pipeline/main.js` when absent (the bench's A/B runs pass another build's). */
  entry?: string;
}

/**
 * V8 flags for the pipeline process. Every record it consumes becomes short-lived
 * strings and objects (decoded, parsed, planned, encoded for Redis), and with
 * V8's default young generation about a fifth of its CPU went to garbage
 * collection in profiles of the pipeline benchmark; with 64 MB, about a sixth.
 * The same flag is in the root `npm run pipeline` script.
 */
export const PIPELINE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

export function startPipelineProcess(opts: PipelineOptions): Promise<HttpService> {
  return startHttpService({
    name: 'pipeline',
    command: process.execPath,
    args: [...PIPELINE_NODE_FLAGS, opts.entry ?? path.join(repoRoot, 'collector', 'dist', 'pipeline', 'main.js')],
    env: {
      ...process.env,
      // A consumer group per topic prefix (sf-pipeline by default): stacks sharing a broker never share a group.
      PIPELINE_GROUP: process.env.PIPELINE_GROUP ?? `${opts.topicPrefix ?? 'sf'}-pipeline`,
      ...opts.env,
      KAFKA_BROKERS: opts.brokers.join(','),
      REDIS_URL: opts.redisUrl,
      ...(opts.erasureSecret !== undefined ? { ERASURE_SECRET: opts.erasureSecret } : {}),
      PIPELINE_HOST: '127.0.0.1',
      PIPELINE_PORT: String(opts.port),
      TOPIC_PREFIX: opts.topicPrefix ?? 'sf',
      TOPIC_PARTITIONS: String(opts.partitions ?? 3),
    },
    logFile: opts.logFile,
    port: opts.port,
    readyPath: '/readyz',
    readyTimeoutMs: 90_000,
    // Room to commit the batch in hand to Redis and leave the group.
    stopGraceMs: 20_000,
  });
}
