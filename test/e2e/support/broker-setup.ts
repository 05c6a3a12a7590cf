/**
 * vitest's globalSetup of the end-to-end run: one single-node KRaft broker
 * shared by every file's stack (each stack keeps to its own topic prefix and
 * consumer groups), stopped by its handle once the last file ran. A broker
 * per file cost about 12 s each. With KAFKA_BROKERS set, that one is used and
 * nothing is started. A file that stops or kills the broker asks for its own
 * (`kafkaBrokers: undefined` in its stack's options).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { existingServersFromEnv, freePort, startKafka } from '@sessionflow/infra';
import type { TestProject } from 'vitest/node';
import { SHARED_BROKER } from './shared-broker.js';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (existingServersFromEnv().kafkaBrokers !== undefined) {
    project.provide(SHARED_BROKER, undefined);
    return undefined;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-e2e-broker-'));
  try {
    const broker = await startKafka({ dir, port: await freePort(), controllerPort: await freePort(), heap: '384m' });
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
