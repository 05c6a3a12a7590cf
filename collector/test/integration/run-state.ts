/**
 * One deployment of the pipeline under a topic prefix (a "run"), and what two
 * runs over the same events are compared on: how far each stage applied (its
 * offsets stored in Redis against the topics' ends) and the state each stage
 * keeps, read through the collector's own store client, so a run on one
 * redis-server and a run on a Redis Cluster are read alike.
 */
import { topicNames, type Topics } from '@sessionflow/core';
import type { Admin } from 'kafkajs';
import { DEFAULT_PIPELINE_CONFIG } from '../../src/pipeline/config.js';
import { readStoredProfile } from '../../src/pipeline/identity/profile-read.js';
import { redisAggregateReads } from '../../src/read/aggregate-redis-store.js';
import { experimentView } from '../../src/read/experiment-view.js';
import type { StoreClient } from '../../src/store/client.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import type { StateLayout } from '../../src/store/layout.js';
import { layoutOf } from './support.js';
import { EXPERIMENT, type Workload } from './shop-workload.js';

export type Stage = 'identity' | 'sessions' | 'aggregates';

export interface Run {
  prefix: string;
  topics: Topics;
  group: string;
  layout: StateLayout;
  partitions: number;
  /** The client on the store the run's pipeline writes to. */
  store: StoreClient;
}

export function runOf(prefix: string, partitions: number, store: StoreClient): Run {
  return { prefix, topics: topicNames(prefix), group: `${prefix}-pipeline`, layout: layoutOf(prefix, partitions), partitions, store };
}

/** The key where `stage` keeps its next offset of `partition` of `topic`. */
export function offsetKey(run: Run, stage: Stage, topic: string, partition: number): string {
  if (stage === 'identity') return identityKeys(run.prefix, run.topics.events, partition).offset;
  if (stage === 'sessions') return run.layout.deviceSessionsAt(partition).offset;
  if (topic === run.topics.eventsByUser) return run.layout.byUser(partition).offset;
  return topic === run.topics.products ? run.layout.productsAt(partition).offset : run.layout.inventoryAt(partition).offset;
}

/** Every (stage, topic) whose offsets a run stores. */
export function stageTopics(run: Run): { stage: Stage; topic: string }[] {
  const { events, eventsByUser, products, inventory } = run.topics;
  return [
    { stage: 'identity', topic: events },
    { stage: 'sessions', topic: events },
    { stage: 'aggregates', topic: eventsByUser },
    { stage: 'aggregates', topic: products },
    { stage: 'aggregates', topic: inventory },
  ];
}

/** A stage's next offset per partition of `topic`, as stored (absent = 0). */
export async function storedOffsets(run: Run, stage: Stage, topic: string): Promise<number[]> {
  const stored = await run.store.mGet(Array.from({ length: run.partitions }, (_, p) => offsetKey(run, stage, topic, p)));
  return stored.map((v) => Number(v ?? 0));
}

export async function endOffsets(admin: Admin, topic: string, partitions: number): Promise<number[]> {
  const ends = new Array<number>(partitions).fill(0);
  for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends[partition] = Number(high);
  return ends;
}

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const equal = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** True once every stage stored the end offset of every partition it consumes. */
export async function drained(run: Run, admin: Admin): Promise<boolean> {
  // The by-user topic last: once the identity stage covered the events, all it re-keys is in the by-user topic.
  for (const { stage, topic } of stageTopics(run)) {
    if (!equal(await storedOffsets(run, stage, topic), await endOffsets(admin, topic, run.partitions))) return false;
  }
  return true;
}

/** What two runs over the same events are compared on. */
export interface RunState {
  /** The identity and sessions stages' offsets of the events topic (the same log in both runs); the by-user topic may differ (a replayed identity batch sends its records again). */
  eventsOffsets: Record<'identity' | 'sessions', number[]>;
  /** The identity stage's: each device's link, and the anonymous prefix kept for it. */
  identity: Record<string, { link: string | null; prefixSession: string | null; prefixEvents: string[] }>;
  /** The sessions stage's: each session's fold and its count of events folded in (its snapshot bookkeeping is wall-clock, left out). */
  sessions: Record<string, (string | null)[]>;
  /** The aggregates stage's, as the read API serves them. */
  profiles: Record<string, unknown>;
  experiment: unknown;
  experimentCounts: Record<string, number>;
  experimentUnits: Record<string, string>;
  funnel: unknown;
  popularity: Record<string, number>;
  catalog: { products: Record<string, string>; inventory: Record<string, string> };
}

/** In chunks, so a read of thousands of keys does not queue them all at once. */
async function chunked<T, R>(items: readonly T[], read: (item: T) => Promise<R>, size = 100): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(read))));
  return out;
}

/** Everything the stages keep of `work` in `run`, with the read API's view at one fixed `nowMs` (decayed affinities, the readout's time). */
export async function runState(run: Run, work: Workload, nowMs: number): Promise<RunState> {
  const { store, layout } = run;
  const identity: RunState['identity'] = {};
  const read = await chunked(work.anonymousIds, async (anon) => {
    const keys = layout.deviceIdentity(anon);
    const [[link, prefixSession], prefixEvents] = await Promise.all([store.mGet([keys.link(anon), keys.prefixSession(anon)]), store.lRange(keys.prefixEvents(anon), 0, -1)]);
    return { link: link ?? null, prefixSession: prefixSession ?? null, prefixEvents };
  });
  work.anonymousIds.forEach((anon, i) => (identity[anon] = read[i]!));

  const sessions: RunState['sessions'] = {};
  const folds = await chunked(work.sessions, (s) => store.hmGet(layout.deviceSessions(s.anonymousId).session(s.id), ['state', 'anonymousId', 'version']));
  work.sessions.forEach((s, i) => (sessions[s.id] = folds[i]!));

  const profiles: Record<string, unknown> = {};
  const views = await chunked(work.profileIds, (ref) => readStoredProfile(store, layout, ref, nowMs), 50);
  work.profileIds.forEach((ref, i) => (profiles[ref] = views[i]));

  const reads = redisAggregateReads(store, layout);
  const experimentCounts = await reads.experimentCounts(EXPERIMENT);
  const setup = DEFAULT_PIPELINE_CONFIG.experiments.find((e) => e.experiment.key === EXPERIMENT)!;
  const stored = await reads.funnel(work.minutes);
  // Cells in a fixed order: a hash's field order is Redis's, not the run's.
  const funnel = {
    ...stored,
    minutes: stored.minutes.map((m) => ({ ...m, cells: [...m.cells].sort((a, b) => `${a.step}|${a.device}|${a.source}`.localeCompare(`${b.step}|${b.device}|${b.source}`)) })),
  };
  const popularity = new Map<string, number>();
  for (const keys of layout.everyByUser()) {
    for (const { value, score } of await store.zRangeWithScores(keys.popularity, 0, -1)) popularity.set(value, (popularity.get(value) ?? 0) + score);
  }
  const experimentUnits: Record<string, string> = {};
  for (const keys of layout.everyByUser()) Object.assign(experimentUnits, await store.hGetAll(keys.experimentUnits(EXPERIMENT)));
  const partitions = Array.from({ length: run.partitions }, (_, p) => p);
  const catalog = { products: {}, inventory: {} };
  for (const p of partitions) {
    Object.assign(catalog.products, await store.hGetAll(layout.productsAt(p).products));
    Object.assign(catalog.inventory, await store.hGetAll(layout.inventoryAt(p).inventory));
  }

  return {
    eventsOffsets: { identity: await storedOffsets(run, 'identity', run.topics.events), sessions: await storedOffsets(run, 'sessions', run.topics.events) },
    identity,
    sessions,
    profiles,
    experiment: experimentView(setup, experimentCounts, nowMs),
    experimentCounts,
    experimentUnits,
    funnel,
    popularity: Object.fromEntries([...popularity].sort(([a], [b]) => a.localeCompare(b))),
    catalog: { products: sortedRecord(catalog.products), inventory: sortedRecord(catalog.inventory) },
  };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The parts of `actual` that differ from `expected` (none when the runs are equal), with the first few
 * differing entries of each, to read in a failing test's diff. Objects compare whatever their key order:
 * a hash's field order is Redis's, not the run's.
 */
export function differences(actual: RunState, expected: RunState, limit = 3): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of Object.keys(expected) as (keyof RunState)[]) {
    const a = actual[part] as unknown;
    const e = expected[part] as unknown;
    if (canonical(a) === canonical(e)) continue;
    if (isRecord(a) && isRecord(e) && part !== 'experiment' && part !== 'funnel' && part !== 'eventsOffsets') {
      const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].filter((k) => canonical(a[k]) !== canonical(e[k]));
      out[part] = { differing: keys.length, first: keys.slice(0, limit).map((k) => ({ key: k, expected: e[k], actual: a[k] })) };
    } else {
      out[part] = { expected: e, actual: a };
    }
  }
  return out;
}

/** JSON with every object's keys sorted. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y))) : v)) ?? 'undefined';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
