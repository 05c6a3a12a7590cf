/** The collector as a child process (`node collector/dist/main.js`), ready when /readyz says Kafka is reachable. */
import path from 'node:path';
import { startChild, waitUntil, type Child } from '../process/child.js';
import { repoRoot } from '../paths.js';
import { answers2xx } from './http-ready.js';

export interface CollectorOptions {
  port: number;
  brokers: string[];
  secret: string;
  topicPrefix?: string;
  partitions?: number;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

export interface CollectorProcess {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

export async function startCollectorProcess(opts: CollectorOptions): Promise<CollectorProcess> {
  const child = startChild({
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
      TOPIC_PREFIX: opts.topicPrefix ?? 'sf',
      TOPIC_PARTITIONS: String(opts.partitions ?? 3),
    },
    logFile: opts.logFile,
  });
  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await waitUntil('collector', () => answers2xx(`${url}/readyz`), { timeoutMs: 60_000, child });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, child, stop: () => child.stop(20_000) };
}
