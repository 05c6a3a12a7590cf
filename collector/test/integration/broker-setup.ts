/**
 * vitest's globalSetup of `npm run test:integration`: one single-node KRaft
 * broker for the whole run, provided to every file (shared-cluster.ts), and
 * stopped by its handle once the last file ran. Each file keeps to its own
 * topic prefix and consumer groups and starts its own redis-server, so they
 * can share it; starting a broker per file cost about 12 s each. A file that
 * stops or kills a broker (broker-failure.test.ts) starts its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startKafka } from '@sessionflow/infra';
import type { TestProject } from 'vitest/node';
import { SHARED_BROKER } from './shared-cluster.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-collector-broker-'));
  try {
    const broker = await startKafka({ dir: path.join(dir, 'kafka'), port: await freePort(), controllerPort: await freePort(), heap: '384m' });
    project.provide(SHARED_BROKER, { kafkaBrokers: broker.brokers });
    return async () => {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
