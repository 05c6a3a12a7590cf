/**
 * Scale-out with a crash in the middle, on real Kafka and Redis. The same
 * 20,000-event stream goes to two deployments (topic prefixes): `run-a` is
 * applied by one pipeline process without interruption; `run-b` by two
 * processes sharing the partitions, one of them killed with SIGKILL when about
 * half is applied, its partitions taken over by the other after the group's
 * session timeout, and then a replacement joins. Every profile, the funnel
 * rollups of the stream's minutes, popularity and the experiment readout must
 * then be equal between the two runs, and run-a's counters must be the
 * workload's own.
 *
 * Under `npm run test:integration` both runs are on the file's one broker and
 * one redis-server. Under `npm run test:cluster`, run-b is on the shared
 * 3-node Kafka and Redis Cluster, and run-a, the reference, keeps its state in
 * a single redis-server of this file's own (on the same Kafka): the scaled-out
 * run on the cluster must equal the single node's uninterrupted one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames, type Topics } from '@sessionflow/core';
import type { Child } from '@sessionflow/infra';
import { AssignerProtocol, type Admin, type Producer } from 'kafkajs';
import { DEFAULT_PIPELINE_CONFIG } from '../../src/pipeline/config.js';
import { readStoredProfile } from '../../src/pipeline/identity/profile-read.js';
import { minuteOf } from '../../src/pipeline/rollups/minute.js';
import { trafficSource } from '../../src/pipeline/rollups/source.js';
import { redisAggregateReads } from '../../src/read/aggregate-redis-store.js';
import { experimentView } from '../../src/read/experiment-view.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import { storeKeys } from '../../src/store/keys.js';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import type { StoreClient } from '../../src/store/client.js';
import { EXPERIMENT, eventRecords, shopCatalog, shopWorkload, type Delivery, type Workload } from './shop-workload.js';
import { eventually, type Infra, layoutOf, onCluster, type RedisInfra, printedProbes, sortedSetOverParts, startInfra, startPipelineChild, startRedisInfra, type TestRedis } from './support.js';

const PARTITIONS = 6;
const STREAM_LENGTH = 20_000;

let infra: Infra;
/** On the cluster: run-a's single redis-server and its clients. */
let singleNode: RedisInfra | undefined;
let admin: Admin;
let producer: Producer;
const children: Child[] = [];

beforeAll(async () => {
  infra = await startInfra();
  ({ admin, producer } = infra);
  if (onCluster) singleNode = await startRedisInfra();
});

afterAll(async () => {
  await Promise.allSettled(children.map((child) => child.stop(5_000)));
  await singleNode?.stop();
  await infra?.stop();
});

// ---------------------------------------------------------------- the workload

/** The experiment counters the workload must produce: its canonical ids, in partition order, each event id once. */
function expectedExperimentCounts(deliveries: readonly Delivery[]): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (field: string) => (counts[field] = (counts[field] ?? 0) + 1);
  const seen = new Set<string>();
  const unitVariant = new Map<string, string>();
  const converted = new Set<string>();
  for (const { event } of deliveries) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    const unit = event.userId ?? event.anonymousId;
    if (event.type === 'exposure' && event.experiment === EXPERIMENT && event.variant !== undefined) {
      add(`exposures:${event.variant}`);
      if (!unitVariant.has(unit)) {
        unitVariant.set(unit, event.variant);
        add(`units:${event.variant}`);
      }
    } else if (event.type === 'track' && event.name === 'add_to_cart') {
      const variant = unitVariant.get(unit);
      if (variant !== undefined && !converted.has(unit)) {
        converted.add(unit);
        add(`conversions:${variant}`);
      }
    }
  }
  return counts;
}

/**
 * Funnel events the workload must produce, by `<minute>|<step>|<device>|<source>`, each event id once: the
 * source is the session's landing page view's, whichever device key or user key its later events travel under.
 */
function expectedFunnelEvents(deliveries: readonly Delivery[]): Record<string, number> {
  const cells: Record<string, number> = {};
  const seen = new Set<string>();
  const sources = new Map<string, string>();
  for (const { event, device } of deliveries) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    if (event.type === 'page_view' && !sources.has(event.sessionId)) sources.set(event.sessionId, trafficSource(event.page));
    const step =
      event.type === 'page_view' ? 'page_view'
      : (event.type === 'click' && event.product !== undefined) || (event.type === 'track' && event.name === 'product_view') ? 'product_view'
      : event.type === 'track' && (event.name === 'add_to_cart' || event.name === 'purchase') ? event.name
      : undefined;
    if (step === undefined) continue;
    const cell = `${minuteOf(event.timestamp)}|${step}|${device ?? 'unknown'}|${sources.get(event.sessionId)}`;
    cells[cell] = (cells[cell] ?? 0) + 1;
  }
  return cells;
}

// ---------------------------------------------------------------- a deployment

interface Run {
  prefix: string;
  topics: Topics;
  group: string;
  /** The REDIS_URL of the run's pipelines, and the test's clients on that store. */
  store: { url: string; redis: TestRedis; client: StoreClient };
}

const runOf = (prefix: string, store: { redis: { url: string }; store: TestRedis; client: StoreClient }): Run => ({
  prefix,
  topics: topicNames(prefix),
  group: `${prefix}-pipeline`,
  store: { url: store.redis.url, redis: store.store, client: store.client },
});
// The identity and sessions stages share one consumer group of the events topic (src/pipeline/events-stages.ts).
const stageGroups = (run: Run) => ({ identity: `${run.group}-events`, sessions: `${run.group}-events`, aggregates: run.group });

interface Instance {
  child: Child;
  clientId: string;
  probes: string;
}

async function startInstance(run: Run, clientId: string): Promise<Instance> {
  const child = startPipelineChild(infra, {
    name: clientId,
    prefix: run.prefix,
    logName: `${clientId}.log`,
    env: { TOPIC_PARTITIONS: String(PARTITIONS), PIPELINE_GROUP: run.group, PIPELINE_KAFKA_CLIENT_ID: clientId, REDIS_URL: run.store.url },
  });
  children.push(child);
  const probes = await printedProbes(child, clientId);
  return { child, clientId, probes };
}

const ready = async (instance: Instance) => (await fetch(`${instance.probes}/readyz`).catch(() => undefined))?.status === 200;

async function produce(topic: string, records: { key: string; value: string }[]): Promise<void> {
  for (let i = 0; i < records.length; i += 2_000) await producer.send({ topic, acks: -1, messages: records.slice(i, i + 2_000) });
}

async function createTopicsAndCatalog(run: Run): Promise<void> {
  await infra.createTopics(run.topics, PARTITIONS);
  const catalog = shopCatalog(run.topics);
  await produce(run.topics.products, catalog.filter((r) => r.topic === run.topics.products));
  await produce(run.topics.inventory, catalog.filter((r) => r.topic === run.topics.inventory));
}

type Stage = 'identity' | 'sessions' | 'aggregates';

/** A stage's next offset per partition of the topic it consumes, as stored in Redis (absent = 0). */
async function storedOffsets(run: Run, stage: Stage, topic: string): Promise<number[]> {
  const key = (p: number) =>
    stage === 'identity' ? identityKeys(run.prefix, topic, p).offset : stage === 'sessions' ? sessionKeys(run.prefix, topic, p).offset : storeKeys(run.prefix, topic, p).offset;
  const stored = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => run.store.redis.get(key(p))));
  return stored.map((v) => Number(v ?? 0));
}

async function endOffsets(topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const ends = new Array<number>(PARTITIONS).fill(0);
  for (const { partition, high } of offsets) ends[partition] = Number(high);
  return ends;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const equal = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** True once every stage stored the end offset of every partition it consumes. */
async function drained(run: Run): Promise<boolean> {
  const { events, eventsByUser, products, inventory } = run.topics;
  const eventsEnd = await endOffsets(events);
  if (!equal(await storedOffsets(run, 'identity', events), eventsEnd)) return false;
  if (!equal(await storedOffsets(run, 'sessions', events), eventsEnd)) return false;
  // Read after the identity stage covered everything: all it re-keyed is in the by-user topic by then.
  for (const topic of [eventsByUser, products, inventory]) {
    if (!equal(await storedOffsets(run, 'aggregates', topic), await endOffsets(topic))) return false;
  }
  return true;
}

/** The partitions each stage's group gives to the member with `clientId`, from the group coordinator. */
async function assignmentOf(run: Run, clientId: string): Promise<Record<Stage, number[]>> {
  const groups = stageGroups(run);
  const described = await admin.describeGroups([...new Set(Object.values(groups))]);
  const owned = (groupId: string, topic: string) => {
    const members = described.groups.find((g) => g.groupId === groupId)?.members.filter((m) => m.clientId === clientId) ?? [];
    return members.flatMap((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? []).sort((a, b) => a - b);
  };
  return {
    identity: owned(groups.identity, run.topics.events),
    sessions: owned(groups.sessions, run.topics.events),
    aggregates: owned(groups.aggregates, run.topics.eventsByUser),
  };
}

// ---------------------------------------------------------------- what the runs are compared on

interface Outcome {
  profiles: Record<string, unknown>;
  experiment: unknown;
  experimentUnits: Record<string, string>;
  counts: Record<string, number>;
  funnel: unknown;
  popularity: Record<string, number>;
}

/** Everything the read API serves from a run, at one fixed "now" so the decayed affinities and the readout's time are the same. */
async function outcomeOf(run: Run, work: Workload, nowMs: number): Promise<Outcome> {
  const layout = layoutOf(run.prefix, PARTITIONS);
  const { redis, client } = run.store;
  const profiles: Record<string, unknown> = {};
  for (let i = 0; i < work.profileIds.length; i += 50) {
    const ids = work.profileIds.slice(i, i + 50);
    const read = await Promise.all(ids.map((id) => readStoredProfile(client, layout, id, nowMs)));
    ids.forEach((id, j) => (profiles[id] = read[j]));
  }
  const reads = redisAggregateReads(client, layout);
  const counts = await reads.experimentCounts(EXPERIMENT);
  const setup = DEFAULT_PIPELINE_CONFIG.experiments.find((e) => e.experiment.key === EXPERIMENT)!;
  const stored = await reads.funnel(work.minutes);
  // Cells in a fixed order: the hash's field order is Redis's, not the run's.
  const funnel = {
    ...stored,
    minutes: stored.minutes.map((m) => ({ ...m, cells: [...m.cells].sort((a, b) => `${a.step}|${a.device}|${a.source}`.localeCompare(`${b.step}|${b.device}|${b.source}`)) })),
  };
  const popularity = Object.fromEntries([...(await sortedSetOverParts(redis, layout, (keys) => keys.popularity))].sort(([a], [b]) => a.localeCompare(b)));
  // Each unit's entry is in the part of the partition that owns it: the parts together are the experiment's units.
  const experimentUnits: Record<string, string> = {};
  for (const part of await Promise.all(layout.everyByUser().map((keys) => redis.hGetAll(keys.experimentUnits(EXPERIMENT))))) Object.assign(experimentUnits, part);
  return {
    profiles,
    experiment: experimentView(setup, counts, nowMs),
    experimentUnits,
    counts,
    funnel,
    popularity,
  };
}

// ---------------------------------------------------------------- the runs

describe('two pipeline instances, one killed in the middle of a 20,000-event stream', () => {
  const work = shopWorkload((Math.floor(Date.now() / 60_000) - 20) * 60_000, { length: STREAM_LENGTH, partitions: PARTITIONS });
  const records = eventRecords(work.deliveries);
  let runA: Run;
  let runB: Run;
  let uninterrupted: Outcome;
  let readAt: number;

  beforeAll(() => {
    // The reference on one redis-server; on the cluster, this file's own, while run-b's state spreads over the shared cluster.
    runA = runOf('run-a', singleNode ?? infra);
    runB = runOf('run-b', infra);
  });

  it('applies the whole stream with one instance, to the counts the workload implies', async () => {
    // Where each run keeps its state: the reference on one redis-server; the scaled-out run on the Redis Cluster when the file runs on it.
    expect(runA.store.client.kind).toBe('single');
    expect(runB.store.client.kind).toBe(onCluster ? 'cluster' : 'single');
    await createTopicsAndCatalog(runA);
    const instance = await startInstance(runA, 'run-a-1');
    await eventually('run-a to be ready', () => ready(instance), 60_000);
    await produce(runA.topics.events, records);
    await eventually('run-a to apply the stream', () => drained(runA), 150_000);

    readAt = Date.now();
    uninterrupted = await outcomeOf(runA, work, readAt);
    expect(uninterrupted.counts).toEqual(expectedExperimentCounts(work.deliveries));
    const funnelEvents: Record<string, number> = {};
    for (const minute of (uninterrupted.funnel as { minutes: { minute: string; cells: { step: string; device: string; source: string; events: number }[] }[] }).minutes) {
      for (const cell of minute.cells) funnelEvents[`${minute.minute}|${cell.step}|${cell.device}|${cell.source}`] = cell.events;
    }
    expect.soft(funnelEvents).toEqual(expectedFunnelEvents(work.deliveries));
    // Every device and every user that logged in has a profile.
    expect(Object.entries(uninterrupted.profiles).filter(([, p]) => p === null).map(([id]) => id)).toEqual([]);
    process.kill(instance.child.pid, 'SIGTERM');
    expect(await instance.child.exited).toBe(0);
  }, 200_000);

  it('ends with the same profiles, rollups and readout when one of two instances is killed half-way', async () => {
    expect(uninterrupted).toBeDefined();
    await createTopicsAndCatalog(runB);
    const first = await startInstance(runB, 'run-b-1');
    const second = await startInstance(runB, 'run-b-2');
    await eventually('both run-b instances to be ready together', async () => (await ready(first)) && (await ready(second)), 60_000);
    const { events, eventsByUser } = runB.topics;
    // The groups share the partitions: each instance holds some in every stage.
    for (const instance of [first, second]) {
      const owned = await assignmentOf(runB, instance.clientId);
      expect([owned.identity.length, owned.sessions.length, owned.aggregates.length].every((n) => n > 0 && n < PARTITIONS)).toBe(true);
    }

    // The stream arrives over about 20 s, slower than the instances apply it, so the kill falls in the middle of it for every stage.
    let produced = 0;
    const streaming = (async () => {
      for (let i = 0; i < records.length; i += 250) {
        await producer.send({ topic: events, acks: -1, messages: records.slice(i, i + 250) });
        produced = Math.min(i + 250, records.length);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    const half = STREAM_LENGTH / 2;
    await eventually('about half of the stream applied by every stage', async () =>
      sum(await storedOffsets(runB, 'identity', events)) >= half &&
      sum(await storedOffsets(runB, 'sessions', events)) >= half &&
      sum(await storedOffsets(runB, 'aggregates', eventsByUser)) >= half, 120_000);
    const producedAtKill = produced;
    // No goodbye: the group notices only at its session timeout, and nothing is flushed.
    process.kill(-second.child.pid, 'SIGKILL');
    await second.child.exited;
    // The dead member keeps its assignment in the group until its session times out.
    const killed = await assignmentOf(runB, second.clientId);
    const atDeath = {
      identity: await storedOffsets(runB, 'identity', events),
      sessions: await storedOffsets(runB, 'sessions', events),
      aggregates: await storedOffsets(runB, 'aggregates', eventsByUser),
    };

    await eventually('the surviving instance to take over every partition', async () => {
      const owned = await assignmentOf(runB, first.clientId);
      return owned.identity.length === PARTITIONS && owned.sessions.length === PARTITIONS && owned.aggregates.length === PARTITIONS;
    }, 60_000);
    // A replacement joins: the partitions move once more, this time away from a live member in the middle of its work.
    const replacement = await startInstance(runB, 'run-b-3');
    await streaming;
    expect(producedAtKill).toBeLessThan(records.length);
    await eventually('the two instances to apply the rest of run-b', () => drained(runB), 150_000);

    // The kill really fell in the middle: on the partitions the killed instance owned, each stage had applied some, not all.
    const ends = { identity: await endOffsets(events), sessions: await endOffsets(events), aggregates: await endOffsets(eventsByUser) };
    for (const stage of ['identity', 'sessions', 'aggregates'] as const) {
      expect(killed[stage].length, `${stage} partitions of the killed instance`).toBeGreaterThan(0);
      const applied = sum(killed[stage].map((p) => atDeath[stage][p]!));
      const end = sum(killed[stage].map((p) => ends[stage][p]!));
      expect(applied, `${stage} records applied by the killed instance`).toBeGreaterThan(0);
      expect(applied, `${stage} records applied by the killed instance`).toBeLessThan(end);
    }

    const scaledOut = await outcomeOf(runB, work, readAt);
    // Soft: one failing run shows every way the two differ.
    expect.soft(scaledOut.counts).toEqual(uninterrupted.counts);
    expect.soft(scaledOut.experimentUnits).toEqual(uninterrupted.experimentUnits);
    expect.soft(scaledOut.experiment).toEqual(uninterrupted.experiment);
    expect.soft(scaledOut.popularity).toEqual(uninterrupted.popularity);
    expect.soft(scaledOut.funnel).toEqual(uninterrupted.funnel);
    const differing = work.profileIds.filter((id) => JSON.stringify(scaledOut.profiles[id]) !== JSON.stringify(uninterrupted.profiles[id]));
    expect.soft(differing.map((id) => ({ id, 'run-a': uninterrupted.profiles[id], 'run-b': scaledOut.profiles[id] })).slice(0, 3)).toEqual([]);
    await Promise.all([first.child.stop(5_000), replacement.child.stop(5_000)]);
  }, 240_000);
});

