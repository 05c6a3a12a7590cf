/**
 * vitest's globalSetup of the end-to-end run: one single-node KRaft broker
 * (infra's startRunBroker) shared by every file's stack (each stack keeps to
 * its own topic prefix and consumer groups), stopped by its handle once the
 * last file ran. With KAFKA_BROKERS set, that one is used and nothing is
 * started. A file that stops or kills the broker asks for its own
 * (`kafkaBrokers: undefined` in its stack's options).
 */
import { existingServersFromEnv, startRunBroker } from '@sessionflow/infra';
import type { TestProject } from 'vitest/node';
import { SHARED_BROKER } from './shared-broker.js';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (existingServersFromEnv().kafkaBrokers !== undefined) {
    project.provide(SHARED_BROKER, undefined);
    return undefined;
  }
  const broker = await startRunBroker({ tmpPrefix: 'sessionflow-e2e-broker-' });
  project.provide(SHARED_BROKER, { kafkaBrokers: broker.kafkaBrokers });
  return broker.stop;
}
