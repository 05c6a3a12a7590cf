/**
 * Erasure everywhere, on a real Kafka broker and real redis-servers, with the
 * collector and the pipeline as processes of their own (their logs in files)
 * and a stub edge (a small HTTP server that records what it is asked):
 *
 * - a user U with two devices, sessions (closed and counted), an exposure and
 *   recommendation state, and a second user V;
 * - `DELETE /v1/users/:userId` while the edge is down: 503 with Retry-After,
 *   and nothing of U is gone; again once it is up: the edge got both devices
 *   with the admin bearer, the answer says what it erased;
 * - a SCAN of Redis finds U's id, its device ids and its session ids in no key
 *   and no value; the markers are there, named by marks, and live longer than
 *   the topics keep anything; the logs of the collector and the pipeline name
 *   none of them;
 * - a replay: a second, empty store (a redis-server; on the shared cluster of
 *   `npm run test:cluster`, a second Redis Cluster) and a pipeline with a fresh
 *   group from the earliest offsets, run until every stage stored the end of
 *   every topic it reads: V's profile is rebuilt as it was, and the same SCAN
 *   finds nothing of U.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startCollectorProcess, startPipelineProcess, startRedis, startRedisCluster, type HttpService } from '@sessionflow/infra';
import { deviceRef, parseProfileView, SCHEMA_VERSION, topicNames, userRef, type ProfileView, type SessionflowEvent } from '@sessionflow/core';
import { erasureMarks } from '../../src/erasure/marks.js';
import type { ErasureResult } from '../../src/erasure/erase-user.js';
import { readStoredProfile } from '../../src/pipeline/identity/profile-read.js';
import { stageOffsetKeys } from '../../src/pipeline/stage-offsets.js';
import { DAY_MS } from '../../src/kafka/topic-bounds.js';
import type { StoreClient } from '../../src/store/client.js';
import { envelope, signedHeaders } from '../fakes.js';
import { personTraces } from '../../src/erasure/traces.js';
import { connectRedis, eventually, layoutOf, newVisitor, onCluster, pageView, productClick, addToCart, replicationEnv, scanKeys, startInfra, type Infra, type Visitor } from './support.js';

const prefix = 'it-erasure';
const topics = topicNames(prefix);
const layout = layoutOf(prefix);
const secret = () => randomBytes(32).toString('base64url');
const SECRETS = { relay: secret(), read: secret(), catalog: secret(), admin: secret(), erasure: secret(), edgeAdmin: secret() };
const marks = erasureMarks(prefix, SECRETS.erasure);
const EXPERIMENT = 'recs-strategy';
/** What each pipeline of this file runs with: sessions close 2 s after their last event, so they are counted in baselines. */
const PIPELINE_ENV = { LOG_LEVEL: 'debug', PIPELINE_SESSION_GAP_MS: '2000', PIPELINE_SNAPSHOT_INTERVAL_MS: '500' };

/** The stub edge: records every request; answers 503 while `down`, else as the edge does (`erased`: the objects that held state). */
interface StubEdge {
  url: string;
  down: boolean;
  calls: { method: string; path: string; authorization: string | undefined; body: unknown }[];
  close(): Promise<void>;
}

async function startStubEdge(): Promise<StubEdge> {
  const stub = { down: false, calls: [] as StubEdge['calls'] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text === '' ? undefined : (JSON.parse(text) as { anonymousIds?: string[] });
      stub.calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      if (stub.down) {
        res.statusCode = 503;
        res.end(JSON.stringify({ error: 'unavailable', message: 'the stub edge is down' }));
      } else {
        res.end(JSON.stringify({ erased: body?.anonymousIds?.length ?? 0 }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

let infra: Infra;
let edge: StubEdge;
let collector: HttpService;
let pipeline: HttpService;
/** The replay's empty store: a redis-server, or a Redis Cluster of its own when the file runs on the shared one. */
let replayRedis: { url: string; stop(): Promise<void> } | undefined;
let replayStore: StoreClient | undefined;
let replay: HttpService | undefined;

function pipelineProcess(redisUrl: string, group: string, logName: string): Promise<HttpService> {
  return freePort().then((port) =>
    startPipelineProcess({ port, brokers: infra.kafka.brokers, redisUrl, erasureSecret: SECRETS.erasure, topicPrefix: prefix, logFile: path.join(infra.dir, logName), env: { ...PIPELINE_ENV, ...replicationEnv(infra), PIPELINE_GROUP: group } }),
  );
}

beforeAll(async () => {
  infra = await startInfra();
  edge = await startStubEdge();
  collector = await startCollectorProcess({
    port: await freePort(),
    brokers: infra.kafka.brokers,
    secret: SECRETS.relay,
    readSecret: SECRETS.read,
    catalogSecret: SECRETS.catalog,
    adminSecret: SECRETS.admin,
    erasureSecret: SECRETS.erasure,
    edgeUrl: edge.url,
    edgeAdminSecret: SECRETS.edgeAdmin,
    redisUrl: infra.redis.url,
    topicPrefix: prefix,
    logFile: path.join(infra.dir, 'collector.log'),
    env: { LOG_LEVEL: 'debug', ...replicationEnv(infra) },
  });
  pipeline = await pipelineProcess(infra.redis.url, `${prefix}-pipeline`, 'pipeline.log');
}, 180_000);

afterAll(async () => {
  await replay?.stop();
  await replayStore?.close();
  await replayRedis?.stop();
  await pipeline?.stop();
  await collector?.stop();
  await edge?.close();
  await infra?.stop();
});

function event(visitor: Visitor, body: Record<string, unknown>, userId?: string): SessionflowEvent {
  return { schemaVersion: SCHEMA_VERSION, eventId: `evt-${randomUUID()}`, anonymousId: visitor.anonymousId, sessionId: visitor.sessionId, timestamp: Date.now(), page: { url: 'https://shop.example/', referrer: '' }, ...(userId !== undefined ? { userId } : {}), ...body } as SessionflowEvent;
}

/** One visitor's events, as the edge relays them (one visitor per batch). */
async function ingest(events: SessionflowEvent[]): Promise<void> {
  const body = JSON.stringify(envelope(events, { receivedAt: Date.now() }));
  const response = await fetch(`${collector.url}/v1/ingest`, { method: 'POST', body, headers: await signedHeaders(body, SECRETS.relay, Date.now()) });
  expect(response.status).toBe(202);
}

/** A visit: anonymous views, the login, views, an exposure and an add to cart as the user. */
function visit(visitor: Visitor, userId: string, products: string[], category: string): SessionflowEvent[] {
  const [first, ...rest] = products as [string, ...string[]];
  return [
    pageView(visitor),
    productClick(visitor, first, category),
    event(visitor, { type: 'identify' }, userId),
    ...rest.map((p) => ({ ...productClick(visitor, p, category), userId })),
    event(visitor, { type: 'exposure', actionId: 'recs-home', experiment: EXPERIMENT, variant: 'popular' }, userId),
    { ...addToCart(visitor, rest[0] ?? first), userId },
  ];
}

async function profileOf(kind: 'user' | 'device', id: string): Promise<ProfileView | null> {
  const response = await fetch(`${collector.url}/v1/profile/${kind}/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${SECRETS.read}` } });
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  const parsed = parseProfileView(await response.json());
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.value;
}

async function erase(userId: string): Promise<Response> {
  return fetch(`${collector.url}/v1/users/${encodeURIComponent(userId)}`, { method: 'DELETE', headers: { authorization: `Bearer ${SECRETS.admin}` } });
}

/** True once every stage of the pipeline on `store` stored, for every partition of every topic it reads, the topic's end. */
async function caughtUp(store: StoreClient): Promise<boolean> {
  const offsets = stageOffsetKeys(prefix);
  const reads: [keyof typeof offsets, string][] = [
    ['identity', topics.events],
    ['sessions', topics.events],
    ['aggregates', topics.eventsByUser],
  ];
  for (const [stage, topic] of reads) {
    for (const { partition, low, high } of await infra.admin.fetchTopicOffsets(topic)) {
      if (high === low) continue;
      if ((await store.get(offsets[stage](topic, partition))) !== high) return false;
    }
  }
  return true;
}

function logLines(...files: string[]): string {
  return files.map((file) => readFileSync(path.join(infra.dir, file), 'utf8')).join('\n');
}

describe('erasure everywhere', () => {
  const user = `user-${randomUUID()}`;
  const other = `user-${randomUUID()}`;
  const phone = newVisitor();
  const laptop = newVisitor();
  const laptopLater = { anonymousId: laptop.anonymousId, sessionId: `session-${randomUUID()}` };
  const othersDevice = newVisitor();
  const sessionIds = [phone.sessionId, laptop.sessionId, laptopLater.sessionId];
  const needles = [user, phone.anonymousId, laptop.anonymousId, ...sessionIds];
  let othersProfile: ProfileView | null = null;

  it('keeps a user with two devices, sessions, an exposure and recommendation state, and a second user', async () => {
    await ingest(visit(phone, user, ['sku-1', 'sku-2', 'sku-3'], 'kitchen'));
    await ingest(visit(laptop, user, ['sku-4', 'sku-2'], 'garden'));
    await ingest([{ ...productClick(laptopLater, 'sku-5', 'garden'), userId: user }, { ...productClick(laptopLater, 'sku-1', 'kitchen'), userId: user }]);
    await ingest(visit(othersDevice, other, ['sku-1', 'sku-6'], 'kitchen'));

    await eventually('both users\' profiles, with closed and counted sessions', async () => {
      const [mine, theirs] = await Promise.all([profileOf('user', user), profileOf('user', other)]);
      return mine?.anonymousIds.length === 2 && mine.baseline?.sessions === 3 && theirs?.baseline?.sessions === 1;
    }, 60_000);
    othersProfile = await profileOf('user', other);
    expect(await infra.store.hGet(layout.profile(userRef(user)).experimentUnits(EXPERIMENT), userRef(user))).not.toBeNull();
    // A session's sequence is in the partition of the person its records were applied under (the device's, or the user's).
    for (const id of sessionIds) expect((await Promise.all(layout.everyByUser().map((keys) => infra.store.exists(keys.recsSessionItems(id))))).reduce((a, b) => a + b, 0), id).toBeGreaterThan(0);
    // What the SCAN below must not find is there to be found now.
    const before = await personTraces(infra.client, prefix, needles);
    for (const needle of needles) expect(before.some((t) => t.needle === needle)).toBe(true);
  });

  it('answers 503 with Retry-After while the edge is down, and erases nothing yet', async () => {
    edge.down = true;
    const response = await erase(user);
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await response.json()).toMatchObject({ error: 'edge_unavailable' });
    expect(edge.calls).toHaveLength(1);
    expect((await profileOf('user', user))?.anonymousIds).toHaveLength(2);
    for (const device of [phone, laptop]) expect(await profileOf('device', device.anonymousId)).not.toBeNull();
  });

  it('erases the user once the edge is up: the edge got both devices with the admin bearer, and the answer says so', async () => {
    edge.down = false;
    const response = await erase(user);
    expect(response.status).toBe(202);
    const result = (await response.json()) as ErasureResult;
    const devices = [phone.anonymousId, laptop.anonymousId].sort();
    expect(result.anonymousIds).toEqual(devices);
    expect(result.mark).toBe(marks.mark(userRef(user)));
    expect(result.edge).toEqual({ reached: true, devices: 2, requests: 1, objectsErased: 2 });
    expect([...result.tombstones.sessions].sort()).toEqual([...sessionIds].sort());

    const call = edge.calls.at(-1)!;
    expect(call).toMatchObject({ method: 'POST', path: '/v1/admin/erase', authorization: `Bearer ${SECRETS.edgeAdmin}` });
    expect([...(call.body as { anonymousIds: string[] }).anonymousIds].sort()).toEqual(devices);

    expect(await profileOf('user', user)).toBeNull();
    expect(await profileOf('user', other)).toMatchObject({ recentlyViewed: othersProfile?.recentlyViewed });
  });

  it('leaves no key or value in Redis naming the user, its devices or its sessions; the markers, named by marks, outlive the topics', async () => {
    expect(await personTraces(infra.client, prefix, needles)).toEqual([]);
    for (const ref of [userRef(user), deviceRef(phone.anonymousId), deviceRef(laptop.anonymousId)]) {
      // In every partition whose stages read markers, kept for longer than the 90 days a compacted topic keeps a profile, plus a segment.
      for (const { topic, partition } of layout.markerScopes()) expect(await infra.store.pTTL(marks.at(topic, partition).key(ref))).toBeGreaterThan(91 * DAY_MS);
    }
    expect(await scanKeys(infra.client, `${prefix}:erasure:pending:*`)).toEqual([]);
  });

  it('writes none of them to the logs of the collector or the pipeline, which name the erasure by its mark', async () => {
    const logs = logLines('collector.log', 'pipeline.log');
    expect(logs).toContain('user erased');
    expect(logs).toContain(marks.mark(userRef(user)));
    for (const needle of needles) expect(logs.includes(needle), needle).toBe(false);
  });

  it('brings nothing of the user back in a replay from the earliest offsets into an empty Redis, which rebuilds everyone else', async () => {
    const replayDir = path.join(infra.dir, 'redis-replay');
    replayRedis = onCluster ? await startRedisCluster({ dir: replayDir }) : await startRedis({ dir: replayDir, port: await freePort() });
    replayStore = await connectRedis(replayRedis.url);
    replay = await pipelineProcess(replayRedis.url, `${prefix}-replay-${randomUUID()}`, 'pipeline-replay.log');
    const store = replayStore;
    await eventually('the replay to store the end of every topic it reads', () => caughtUp(store), 90_000);
    await eventually('the second user\'s profile, rebuilt', async () => (await readStoredProfile(store, layout, userRef(other), Date.now()))?.baseline?.sessions === 1, 30_000);
    const rebuilt = await readStoredProfile(store, layout, userRef(other), Date.now());
    expect(rebuilt).toMatchObject({ anonymousIds: [othersDevice.anonymousId], recentlyViewed: othersProfile?.recentlyViewed });
    expect(await readStoredProfile(store, layout, userRef(user), Date.now())).toBeNull();
    expect(await personTraces(store, prefix, needles)).toEqual([]);
    // The markers came back from the erasures topic before anything was replayed.
    const markerKeys = [userRef(user), deviceRef(phone.anonymousId), deviceRef(laptop.anonymousId)].flatMap((ref) => layout.markerScopes().map(({ topic, partition }) => marks.at(topic, partition).key(ref)));
    expect((await store.mGet(markerKeys)).filter((value) => value !== null)).toHaveLength(markerKeys.length);
    const replayLog = logLines('pipeline-replay.log');
    for (const needle of needles) expect(replayLog.includes(needle), needle).toBe(false);
  });
});
