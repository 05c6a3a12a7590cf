/** A stack of real parts for one test file, on free ports, in a fresh temp folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { existingServersFromEnv, startStack, type Part, type Stack, type StackOptions } from '@sessionflow/infra';
import { inject } from 'vitest';
import { SHARED_BROKER } from './shared-broker.js';

export interface TestStack extends Stack {
  dir: string;
  /** Stops the stack and removes its folder (logs are kept when a test failed: see `keepDir`). */
  close(keepDir?: boolean): Promise<void>;
}

/**
 * Kafka is the run's shared broker (support/broker-setup.ts), or KAFKA_BROKERS's; a file that stops or kills
 * the broker passes `kafkaBrokers: undefined` in `extra` and gets one of its own.
 */
export async function startTestStack(parts: Part[], extra: Partial<StackOptions> = {}): Promise<TestStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-e2e-'));
  const shared = inject(SHARED_BROKER);
  const stack = await startStack({
    dir,
    parts,
    ...existingServersFromEnv(),
    ...(shared !== undefined ? { kafkaBrokers: shared.kafkaBrokers } : {}),
    // A topic prefix per run keeps runs apart when KAFKA_BROKERS points at a shared cluster.
    topicPrefix: `e2e${Date.now().toString(36)}`,
    kafkaHeap: '384m',
    log: (line) => process.stderr.write(`[stack] ${line}\n`),
    ...extra,
  });
  return {
    ...stack,
    dir,
    async close(keepDir = false) {
      await stack.stop();
      if (keepDir) process.stderr.write(`[stack] logs kept in ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
