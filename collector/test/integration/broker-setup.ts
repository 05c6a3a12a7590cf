/**
 * vitest's globalSetup of `npm run test:integration`: one single-node KRaft
 * broker for the whole run (infra's startRunBroker), provided to every file
 * (shared-cluster.ts), and stopped by its handle once the last file ran. Each
 * file keeps to its own topic prefix and consumer groups and starts its own
 * redis-server, so they can share it. A file that stops or kills a broker
 * (broker-failure.test.ts) starts its own.
 */
import { startRunBroker } from '@sessionflow/infra';
import type { TestProject } from 'vitest/node';
import { SHARED_BROKER } from './shared-cluster.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await startRunBroker({ tmpPrefix: 'sf-collector-broker-' });
  project.provide(SHARED_BROKER, { kafkaBrokers: broker.kafkaBrokers });
  return broker.stop;
}
