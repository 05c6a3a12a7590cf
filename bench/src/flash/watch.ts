/**
 * What the flash-sale run watches every second while the load runs: each
 * part's degradation level from its /metrics gauge (collector, pipeline, and
 * the edge if it exports one), the pipeline's lag in seconds (lag.ts: its own
 * gauge if it has one, else from the stages' offsets in Redis against the
 * topics' end offsets), and the CPU of every part's process group (the edge's
 * processes also one by one: `edge › workerd …`), of the bench itself and of
 * the machine. A reading that takes longer than a second (a part
 * too busy to answer) delays the next one; one that takes over 5 s is given up.
 */
import { performance } from 'node:perf_hooks';
import type { Admin } from 'kafkajs';
import { topicNames, type Level } from '@sessionflow/core';
import { stageOffsetKeys, type StageName, type StoreClient } from '@sessionflow/collector';
import { groupCpuSeconds } from '../edge/process-cpu.js';
import { machineCpuSeconds } from '../pipeline/cpu.js';
import { lagFromOffsets, pipelineLagSeconds, type EndSample, type Lag, type StageOffset } from './lag.js';
import { degradationLevelOf, type Part } from './metrics-text.js';
import { groupsCpuSeconds } from './part-cpu.js';

export interface Reading {
  /** performance.now() ms. */
  at: number;
  phase: string;
  lag: Lag;
  /** Each part's level by its gauge; undefined when it exports none (or did not answer). */
  levels: Record<Part, Level | undefined>;
  /** Parts whose /metrics did not answer in time. */
  unanswered: Part[];
  /** CPU seconds so far: each part's process group, `bench` (this process), `machine` (all cores, busy). */
  cpuS: Record<string, number>;
}

export interface WatchTarget {
  /** Each part's base URL, and the bearer its /metrics wants (the edge's is behind its admin secret). */
  metrics: Partial<Record<Part, { url: string; bearer?: string }>>;
  admin: Admin;
  store: Pick<StoreClient, 'mGet'>;
  prefix: string;
  /** part name → its process group. */
  groups: ReadonlyMap<string, number>;
  /** The edge's group and port: its processes (wrangler's Node dev server, workerd) are read apart too. */
  edge?: { group: number; port: number };
}

export interface Watch {
  readings: Reading[];
  setPhase(name: string): void;
  latest(): Reading | undefined;
  stop(): Promise<void>;
}

const STAGE_INPUTS: ReadonlyArray<[StageName, 'events' | 'eventsByUser']> = [
  ['identity', 'events'],
  ['sessions', 'events'],
  ['aggregates', 'eventsByUser'],
];

/** A reading that has not ended by then is given up (and logged); the next one starts. */
const READING_TIMEOUT_MS = 5_000;

/** `promise`, or a rejection with `message` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function startWatch(t: WatchTarget, periodMs = 1000): Watch {
  const readings: Reading[] = [];
  const history: EndSample[] = [];
  const topics = topicNames(t.prefix);
  const offsetKey = stageOffsetKeys(t.prefix);
  let phase = 'start';
  let running = true;

  /** The part's /metrics; '' when it has none (404), undefined when it did not answer in time. */
  const scrape = async ({ url, bearer }: { url: string; bearer?: string }): Promise<string | undefined> => {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(periodMs), ...(bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {}) });
    const text = await res.text();
    return res.ok ? text : '';
  };

  const readOnce = async (): Promise<void> => {
    const parts = Object.entries(t.metrics) as Array<[Part, { url: string; bearer?: string }]>;
    const texts = await Promise.all(parts.map(async ([part, target]) => [part, await scrape(target).catch(() => undefined)] as const));
    const ends = new Map<string, bigint>();
    for (const topic of [topics.events, topics.eventsByUser]) {
      for (const p of await t.admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
    }
    // The end offsets' moment: the scrapes before may have taken most of a second on a loaded machine.
    const at = performance.now();
    history.push({ at, ends });
    const wanted: Array<StageOffset & { key: string }> = [];
    for (const [stage, input] of STAGE_INPUTS) {
      const topic = topics[input];
      for (const key of ends.keys()) {
        if (!key.startsWith(`${topic}/`)) continue;
        const partition = Number(key.slice(topic.length + 1));
        wanted.push({ stage, partition: key, next: 0n, key: offsetKey[stage](topic, partition) });
      }
    }
    const values = await t.store.mGet(wanted.map((w) => w.key));
    const stages = wanted.map((w, i) => ({ stage: w.stage, partition: w.partition, next: typeof values[i] === 'string' ? BigInt(values[i]) : 0n }));
    const levels: Record<Part, Level | undefined> = { edge: undefined, collector: undefined, pipeline: undefined };
    const unanswered: Part[] = [];
    for (const [part, text] of texts) {
      if (text === undefined) unanswered.push(part);
      else levels[part] = degradationLevelOf(text, part);
    }
    const pipelineText = texts.find(([part]) => part === 'pipeline')?.[1];
    const lag = pipelineLagSeconds(pipelineText, () => lagFromOffsets(history, stages, performance.now()));
    const own = process.cpuUsage();
    const machine = machineCpuSeconds();
    readings.push({
      at,
      phase,
      lag,
      levels,
      unanswered,
      cpuS: {
        ...groupsCpuSeconds(t.groups),
        ...(t.edge ? Object.fromEntries(Object.entries(groupCpuSeconds(t.edge.group, t.edge.port)).map(([label, cpu]) => [`edge › ${label}`, cpu])) : {}),
        bench: (own.user + own.system) / 1e6,
        ...(machine ? { machine: machine.busy } : {}),
      },
    });
  };

  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        // A part that never answers (Kafka's admin client retrying, Redis stalled) must not stop the readings.
        await withTimeout(readOnce(), READING_TIMEOUT_MS, `a reading took over ${READING_TIMEOUT_MS} ms`);
      } catch (error) {
        console.error(`  watch: a reading failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      const wait = periodMs - (performance.now() - started);
      if (wait > 0 && running) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();

  return {
    readings,
    setPhase: (name) => void (phase = name),
    latest: () => readings[readings.length - 1],
    async stop() {
      running = false;
      await withTimeout(loop, READING_TIMEOUT_MS + periodMs, 'the last reading did not end').catch(() => undefined);
    },
  };
}
