/**
 * The one stack the crash tests share: Kafka (one KRaft broker), Redis with
 * its AOF fsynced every second, the collector, the pipeline and the edge in
 * workerd, every part a process of its own that the tests kill and restart by
 * its handle. Each run of the workload has its own ids, products, traffic
 * source and experiment, so runs share the stack without sharing any count
 * they are judged by. Never an existing Kafka or Redis: these get killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '@sessionflow/infra';
import { runExperiment, runPrefix } from './workload.js';

export interface CrashStack extends Stack {
  dir: string;
  close(keepDir: boolean): Promise<void>;
}

export async function startCrashStack(runs: readonly string[]): Promise<CrashStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-crash-'));
  const experiments = JSON.stringify(runs.map((run) => runExperiment(runPrefix(run))));
  const stack = await startStack({
    dir,
    parts: ['edge', 'pipeline'],
    redisAppendOnly: true,
    kafkaHeap: '256m',
    partEnv: { pipeline: { PIPELINE_EXPERIMENTS: experiments }, collector: { EXPERIMENTS: experiments } },
    log: (line) => process.stderr.write(`[stack] ${line}\n`),
  });
  return {
    ...stack,
    dir,
    async close(keepDir) {
      await stack.stop();
      if (keepDir) process.stderr.write(`[stack] logs kept in ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
