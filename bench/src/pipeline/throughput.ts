/**
 * Throughput: the events are in `<prefix>.events` before the pipeline starts;
 * it is timed from its first applied record until every stage has applied
 * everything (the stages' offsets in Redis reach the topics' end offsets,
 * by-user re-keying included), and every CPU counter is read at both ends.
 */
import { performance } from 'node:perf_hooks';
import type { Admin } from 'kafkajs';
import type { topicNames } from '@sessionflow/core';
import type { StageName, StoreClient } from '@sessionflow/collector';
import { progress } from '../progress.js';
import type { CpuSample } from './cpu-ledger.js';
import { stageProgress, topicEnd, topicPartitions, type StageInputs } from './progress-offsets.js';

const STAGES: readonly StageName[] = ['identity', 'sessions', 'aggregates'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CatchUp {
  seconds: number;
  eventsPerS: number;
  /** Records the identity stage re-keyed to `<prefix>.events.by-user`. */
  byUser: number;
  /** CPU counters at the first applied record and once everything was applied. */
  cpu: { first: CpuSample; last: CpuSample };
}

export interface CatchUpOptions {
  store: Pick<StoreClient, 'mGet'>;
  admin: Admin;
  prefix: string;
  topics: ReturnType<typeof topicNames>;
  events: number;
  sampleCpu: () => Promise<CpuSample>;
  /** Starts the progress line: `throughput`, `cluster throughput`. */
  label: string;
}

export async function timeCatchUp(o: CatchUpOptions): Promise<CatchUp> {
  const { topics } = o;
  const bar = progress();
  const eventsEnd = await topicEnd(o.admin, topics.events);
  const eventPartitions = await topicPartitions(o.admin, topics.events);
  const inputs: StageInputs = new Map([
    ['identity', new Map([[topics.events, eventPartitions]])],
    ['sessions', new Map([[topics.events, eventPartitions]])],
    ['aggregates', new Map([[topics.eventsByUser, await topicPartitions(o.admin, topics.eventsByUser)]])],
  ]);
  let first: { at: number; cpu: CpuSample } | undefined;
  for (;;) {
    const now = performance.now();
    const cpu = await o.sampleCpu();
    const stages = await stageProgress(o.store, o.prefix, inputs);
    const applied = (stage: StageName, topic: string) => stages.get(stage)?.get(topic) ?? 0n;
    if (first === undefined && [...stages.values()].some((t) => (t.get(topics.events) ?? 0n) > 0n || (t.get(topics.eventsByUser) ?? 0n) > 0n)) {
      first = { at: now, cpu };
    }
    const identityDone = applied('identity', topics.events) >= eventsEnd;
    const sessionsDone = applied('sessions', topics.events) >= eventsEnd;
    const byUserEnd = identityDone ? await topicEnd(o.admin, topics.eventsByUser) : undefined;
    const aggregatesDone = byUserEnd !== undefined && applied('aggregates', topics.eventsByUser) >= byUserEnd;
    bar.update(`  ${o.label}: ${STAGES.map((s) => `${s} ${applied(s, s === 'aggregates' ? topics.eventsByUser : topics.events).toLocaleString('en')}`).join(', ')} of ${o.events.toLocaleString('en')}`);
    if (identityDone && sessionsDone && aggregatesDone && first !== undefined) {
      bar.done();
      const seconds = (now - first.at) / 1000;
      return { seconds, eventsPerS: o.events / seconds, byUser: Number(byUserEnd), cpu: { first: first.cpu, last: cpu } };
    }
    await sleep(100);
  }
}
