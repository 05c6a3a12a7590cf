/**
 * A broker SIGKILLed under load, on a local 3-node KRaft cluster (replication
 * factor 3, min.insync.replicas 2): the collector in this process takes a
 * steady stream of relayed batches; one broker dies and comes back 15 s
 * later. Then:
 * - every event the collector answered 202 for is in `sf.events` exactly
 *   once (the topic read back to its end), and none it refused is there twice;
 * - every refusal was a 503 with Retry-After;
 * - the collector went on accepting while the broker was down (two replicas
 *   of three in sync are enough);
 * - the pipeline, run over the topic afterwards, stores what the events in it
 *   imply, computed here from what this test sent: the counts of a run with
 *   no broker killed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEventRecord, topicNames, type SessionflowEvent } from '@sessionflow/core';
import { freePort, startKafkaCluster, startRedis, type KafkaCluster, type RedisServer } from '@sessionflow/infra';
import kafkajs, { Kafka, logLevel, type Admin } from 'kafkajs';
import { startPipeline, type RunningPipeline } from '../../src/pipeline/pipeline.js';
import { startCollector, type RunningCollector } from '../../src/server.js';
import type { StoreClient } from '../../src/store/client.js';
import { readStateLayout } from '../../src/store/layout.js';
import { ADMIN_SECRET, CATALOG_SECRET, envelope, SECRET, signedHeaders } from '../fakes.js';
import { connectRedis, eventually, newVisitor, productClick } from './support.js';

const prefix = 'it-broker';
const topics = topicNames(prefix);
const READ_SECRET = 'broker-failure-read-secret';
// kafkajs is CommonJS; Node's ESM loader does not see this among its named exports.
const { ConfigResourceTypes } = kafkajs;

/** The load: a request every SEND_INTERVAL_MS from each of SENDERS, each one new visitor's batch of EVENTS_PER_VISIT clicks. */
const SENDERS = 4;
const SEND_INTERVAL_MS = 100;
const EVENTS_PER_VISIT = 5;
const PRODUCTS = Array.from({ length: 12 }, (_, i) => ({ id: `sku-${i}`, category: ['shoes', 'bags', 'watches'][i % 3]! }));
/** Load before the kill, the broker's time down (the 15 s), and load after it is back. */
const BEFORE_KILL_MS = 8_000;
const DOWN_MS = 15_000;
const AFTER_RESTART_MS = 10_000;

let dir: string;
let cluster: KafkaCluster;
let redisServer: RedisServer;
let store: StoreClient;
let client: Kafka;
let admin: Admin;
let collector: RunningCollector | undefined;
let pipeline: RunningPipeline | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sf-broker-failure-'));
  cluster = await startKafkaCluster({ dir: path.join(dir, 'kafka'), brokers: 3, minInsyncReplicas: 2 });
  redisServer = await startRedis({ dir: path.join(dir, 'redis'), port: await freePort() });
  store = await connectRedis(redisServer.url);
  client = new Kafka({ clientId: 'sf-broker-failure-it', brokers: cluster.brokers, logLevel: logLevel.NOTHING });
  admin = client.admin();
  await admin.connect();
  collector = await startCollector({
    kafkaBrokers: cluster.brokers,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    port: 0,
    topicPrefix: prefix,
    relaySecret: SECRET,
    readSecret: READ_SECRET,
    catalogSecret: CATALOG_SECRET,
    adminSecret: ADMIN_SECRET,
    redisUrl: redisServer.url,
    producerThread: false,
    // Warnings stay: a send Kafka acknowledged only in part, sent again, says so (producer.ts).
    logLevel: 'warn',
  });
}, 240_000);

afterAll(async () => {
  await pipeline?.close().catch(() => undefined);
  await collector?.close().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
  await store?.close().catch(() => undefined);
  await redisServer?.stop();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

interface Outcome {
  events: SessionflowEvent[];
  status: number;
  /** The answer's body: `{ accepted, deadLettered }` for a 202. */
  body: string;
  retryAfter: string | null;
  sentAt: number;
  answeredAt: number;
}

/** Steady senders until `stop()`: one new visitor's batch per request, never retried, so each event is sent once. */
function steadyLoad() {
  const outcomes: Outcome[] = [];
  let running = true;
  let sent = 0;
  const sender = async () => {
    while (running) {
      const started = Date.now();
      const visitor = newVisitor();
      const events = Array.from({ length: EVENTS_PER_VISIT }, (_, i) => {
        const product = PRODUCTS[(sent * 7 + i * 5) % PRODUCTS.length]!;
        // Before the relay's receivedAt, which the pipeline would clamp a later time to.
        return productClick(visitor, product.id, product.category, started - 100 + i);
      });
      sent++;
      const body = JSON.stringify(envelope(events, { receivedAt: started }));
      let status = 0;
      let answer = '';
      let retryAfter: string | null = null;
      try {
        const response = await fetch(`${collector!.url}/v1/ingest`, { method: 'POST', body, headers: await signedHeaders(body, SECRET, Date.now()) });
        status = response.status;
        retryAfter = response.headers.get('retry-after');
        answer = await response.text();
      } catch (error) {
        status = -1;
        answer = String(error);
      }
      outcomes.push({ events, status, body: answer, retryAfter, sentAt: started, answeredAt: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, SEND_INTERVAL_MS - (Date.now() - started))));
    }
  };
  const senders = Array.from({ length: SENDERS }, sender);
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(senders);
    },
  };
}

/** How many times each event id is in the topic, read from its start to the end it has now. */
async function eventIdsInTopic(topic: string): Promise<Map<string, number>> {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  const counts = new Map<string, number>();
  const next = new Map<number, number>();
  const consumer = client.consumer({ groupId: `${prefix}-readback-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const eventId = decodeEventRecord(message.value?.toString() ?? '').eventId;
        counts.set(eventId, (counts.get(eventId) ?? 0) + 1);
        next.set(partition, Number(message.offset) + 1);
      },
    });
    await eventually('the topic read to its end', async () => [...ends].every(([partition, end]) => (next.get(partition) ?? 0) >= end), 60_000);
  } finally {
    await consumer.disconnect();
  }
  return counts;
}

/** What the pipeline must hold after the events in the log, computed from the events as sent: popularity per product, and each device's profile. */
interface ExpectedState {
  popularity: Map<string, number>;
  profiles: Map<string, { recentlyViewed: string[]; updatedAt: number; sessions: number }>;
}

function expectedState(events: readonly SessionflowEvent[]): ExpectedState {
  const popularity = new Map<string, number>();
  const byVisitor = new Map<string, SessionflowEvent[]>();
  for (const event of events) {
    if (event.type === 'click' && event.product) popularity.set(event.product.id, (popularity.get(event.product.id) ?? 0) + 1);
    byVisitor.set(event.anonymousId, [...(byVisitor.get(event.anonymousId) ?? []), event]);
  }
  const profiles = new Map(
    [...byVisitor].map(([anonymousId, own]) => {
      // Most recent first, each product once: a visit's clicks are in order, one product each.
      const viewed: string[] = [];
      for (const event of own) if (event.type === 'click' && event.product) viewed.unshift(event.product.id);
      return [anonymousId, { recentlyViewed: [...new Set(viewed)], updatedAt: Math.max(...own.map((e) => e.timestamp)), sessions: new Set(own.map((e) => e.sessionId)).size }];
    }),
  );
  return { popularity, profiles };
}

/**
 * The pipeline's state as stored, for what `expected` names. Kept in one place, since the stored layout is
 * changing (partition-owned keys): profiles through the read API, global popularity from its key.
 */
async function pipelineState(expected: ExpectedState): Promise<ExpectedState> {
  // Popularity is kept in one part per by-user partition (src/store/owner.ts): the sum of the parts.
  const layout = await readStateLayout(admin, prefix);
  const popularity = new Map<string, number>();
  for (const keys of layout.everyByUser()) {
    for (const { value, score } of await store.zRangeWithScores(keys.popularity, 0, -1)) popularity.set(value, (popularity.get(value) ?? 0) + score);
  }
  const profiles: ExpectedState['profiles'] = new Map();
  for (const anonymousId of expected.profiles.keys()) {
    const response = await fetch(`${collector!.url}/v1/profile/device/${anonymousId}`, { headers: { authorization: `Bearer ${READ_SECRET}` } });
    if (response.status !== 200) {
      await response.arrayBuffer();
      continue;
    }
    const view = (await response.json()) as { recentlyViewed: string[]; updatedAt: number; sessions: number };
    profiles.set(anonymousId, { recentlyViewed: view.recentlyViewed, updatedAt: view.updatedAt, sessions: view.sessions });
  }
  return { popularity, profiles };
}

describe('a broker SIGKILLed under load and restarted 15 s later', () => {
  it('loses no accepted event, writes none twice, and the pipeline counts what a run without the kill counts', async () => {
    // The topics as the collector created them: on all three nodes, two in sync required.
    const metadata = await admin.fetchTopicMetadata({ topics: [topics.events] });
    for (const partition of metadata.topics[0]!.partitions) expect(partition.replicas).toHaveLength(3);
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.events, configNames: ['min.insync.replicas'] }] });
    expect(described.resources[0]!.configEntries[0]!.configValue).toBe('2');

    // The victim leads a partition of the events topic, so its death moves a leader as well as shrinking the in-sync sets.
    const leader = metadata.topics[0]!.partitions[0]!.leader;
    const victim = cluster.nodes.find((n) => n.id === leader)!;

    const load = steadyLoad();
    await new Promise((resolve) => setTimeout(resolve, BEFORE_KILL_MS));
    const killedAt = Date.now();
    await victim.kill();
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    const restartedAt = Date.now();
    await victim.restart();
    await new Promise((resolve) => setTimeout(resolve, AFTER_RESTART_MS));
    await load.stop();

    const outcomes = load.outcomes;
    const accepted = outcomes.filter((o) => o.status === 202);
    const refused = outcomes.filter((o) => o.status !== 202);
    const acceptedEvents = accepted.flatMap((o) => o.events);
    const refusedEvents = refused.flatMap((o) => o.events);
    expect(acceptedEvents.length).toBeGreaterThan(0);
    // Valid events only: every one of a 202 went to the events topic, none to the dead letters.
    for (const o of accepted) expect(JSON.parse(o.body)).toEqual({ accepted: EVENTS_PER_VISIT, deadLettered: 0 });
    // Every refusal is a 503 that says when to retry: no 500, no dropped connection.
    for (const o of refused) expect({ status: o.status, retryAfter: Number(o.retryAfter) > 0 }).toEqual({ status: 503, retryAfter: true });
    // Two of three replicas in sync are enough: the collector accepted while the broker was down.
    expect(accepted.some((o) => o.answeredAt > killedAt && o.answeredAt < restartedAt)).toBe(true);

    // The log: every accepted event exactly once; a refused one at most once (a write Kafka took after its request timed out).
    const inTopic = await eventIdsInTopic(topics.events);
    const notOnce = accepted
      .filter((o) => o.events.some((e) => inTopic.get(e.eventId) !== 1))
      .map((o) => ({
        sentAfterKillMs: o.sentAt - killedAt,
        answeredAfterMs: o.answeredAt - o.sentAt,
        times: o.events.map((e) => inTopic.get(e.eventId) ?? 0),
        partitionKey: o.events[0]!.anonymousId,
      }));
    expect(notOnce).toEqual([]);
    expect(refusedEvents.filter((e) => (inTopic.get(e.eventId) ?? 0) > 1)).toEqual([]);
    const sentIds = new Set([...acceptedEvents, ...refusedEvents].map((e) => e.eventId));
    expect([...inTopic.keys()].filter((id) => !sentIds.has(id))).toEqual([]);
    const landedRefused = refusedEvents.filter((e) => inTopic.has(e.eventId));
    console.log(
      `broker ${victim.id} down ${Math.round((restartedAt - killedAt) / 1000)} s: ${outcomes.length} requests, ${acceptedEvents.length} events accepted, ` +
        `${refused.length} requests refused (503, ${refusedEvents.length} events, ${landedRefused.length} of them in the log anyway), ${inTopic.size} distinct events in ${topics.events}`,
    );

    // The pipeline over the log, after the fact, against what the events in it imply (as with no broker killed).
    const logged = [...acceptedEvents, ...landedRefused];
    const expected = expectedState(logged);
    pipeline = await startPipeline({
      kafkaBrokers: cluster.brokers,
      redisUrl: redisServer.url,
      topicPrefix: prefix,
      groupId: `${prefix}-pipeline`,
      replicationFactor: 3,
      minInsyncReplicas: 2,
      port: 0,
      logLevel: 'error',
    });
    let state = await pipelineState(expected);
    const matches = (s: ExpectedState) => JSON.stringify(sorted(s)) === JSON.stringify(sorted(expected));
    await eventually('the pipeline to have applied the log', async () => matches((state = await pipelineState(expected))), 120_000).catch(() => undefined);
    expect(sorted(state)).toEqual(sorted(expected));
  }, 420_000);
});

function sorted(state: ExpectedState) {
  return {
    popularity: [...state.popularity].sort(([a], [b]) => a.localeCompare(b)),
    profiles: [...state.profiles].sort(([a], [b]) => a.localeCompare(b)),
  };
}
