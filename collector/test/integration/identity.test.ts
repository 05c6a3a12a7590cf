/**
 * Identity stitching and erasure against a real Kafka broker and a real
 * redis-server: a visitor browses anonymously on device A, logs in mid-session,
 * then browses on device B and logs in as the same user → one profile with both
 * devices' events, A's anonymous prefix included; `sf.identity` carries both
 * links. Erasure then empties every read and leaves tombstones in the compacted
 * topics, and an event of the user still in flight does not bring it back.
 * After it, no key under the prefix names or holds the user or its devices
 * (a SCAN of everything), and `sf.sessions` carries tombstones of its sessions.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRef, encodeEventRecord, parseProfileView, SCHEMA_VERSION, topicNames, userRef, type ProfileView, type SessionflowEvent } from '@sessionflow/core';
import type { BatchOutcome } from '../../src/pipeline/apply.js';
import type { IdentityOutcome } from '../../src/pipeline/identity/apply.js';
import type { RunningPipeline } from '../../src/pipeline/pipeline.js';
import type { RunningCollector } from '../../src/server.js';
import { erasureMarks } from '../../src/erasure/marks.js';
import type { ErasureResult } from '../../src/erasure/erase-user.js';
import { DEV_SECRETS } from '../../src/config.js';
import { ADMIN_SECRET, envelope, SECRET, signedHeaders } from '../fakes.js';
import { personTraces } from '../../src/erasure/traces.js';
import { countsOverParts, eventually, layoutOf, newVisitor, partsHolding, scoreOverParts, pageView, productClick, startInfra, startReadyPipeline, startTestCollector, type Infra, type TestRedis, type Visitor } from './support.js';

const READ_SECRET = 'identity-read-secret';
const prefix = 'it-identity';
const topics = topicNames(prefix);
const layout = layoutOf(prefix);
/** The collector and pipeline of this file run on loopback with the development erasure secret. */
const marks = erasureMarks(prefix, DEV_SECRETS.erasure);
/** The collector's and the pipeline's default experiment. */
const EXPERIMENT = 'recs-strategy';

let infra: Infra;
let redis: TestRedis;
let collector: RunningCollector;
let pipeline: RunningPipeline;
const identityOutcomes: IdentityOutcome[] = [];
const sessionOutcomes: BatchOutcome[] = [];

beforeAll(async () => {
  infra = await startInfra();
  redis = infra.store;
  collector = await startTestCollector(infra, prefix, READ_SECRET);
  pipeline = await startReadyPipeline(infra, prefix, {
    onIdentityBatch: (_, outcome) => identityOutcomes.push(outcome),
    onSessionBatch: (_, outcome) => sessionOutcomes.push(outcome),
  });
}, 180_000);

afterAll(async () => {
  await pipeline?.close();
  await collector?.close();
  await infra?.stop();
});

function identify(visitor: Visitor, userId: string, at: number): SessionflowEvent {
  return { schemaVersion: SCHEMA_VERSION, eventId: `evt-${randomUUID()}`, anonymousId: visitor.anonymousId, sessionId: visitor.sessionId, timestamp: at, page: { url: 'https://shop.example/login', referrer: '' }, type: 'identify', userId };
}

function exposure(visitor: Visitor, variant: string, at: number): SessionflowEvent {
  return { schemaVersion: SCHEMA_VERSION, eventId: `evt-${randomUUID()}`, anonymousId: visitor.anonymousId, sessionId: visitor.sessionId, timestamp: at, page: { url: 'https://shop.example/', referrer: '' }, type: 'exposure', actionId: 'recs-home', experiment: EXPERIMENT, variant };
}

async function ingest(events: SessionflowEvent[]): Promise<void> {
  const body = JSON.stringify(envelope(events, { receivedAt: Date.now() }));
  const response = await fetch(`${collector.url}/v1/ingest`, { method: 'POST', body, headers: await signedHeaders(body, SECRET, Date.now()) });
  expect(response.status).toBe(202);
}

async function call(method: string, path: string): Promise<{ status: number; body: unknown }> {
  // Erasure is administration: the admin secret; everything else here is a read.
  const response = await fetch(`${collector.url}${path}`, { method, headers: { authorization: `Bearer ${method === 'DELETE' ? ADMIN_SECRET : READ_SECRET}` } });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function profileOf(kind: 'user' | 'device', id: string): Promise<ProfileView | null> {
  const { status, body } = await call('GET', `/v1/profile/${kind}/${encodeURIComponent(id)}`);
  if (status === 404) return null;
  expect(status).toBe(200);
  const parsed = parseProfileView(body);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.value;
}

/** The latest value per key of a topic, read from the beginning with a consumer of its own, once `done` holds. */
async function latestByKey(topic: string, done: (latest: Map<string, string | null>) => boolean): Promise<Map<string, string | null>> {
  const consumer = infra.kafkaClient.consumer({ groupId: `reader-${randomUUID()}` });
  const latest = new Map<string, string | null>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key !== null) latest.set(message.key.toString('utf8'), message.value === null ? null : message.value.toString('utf8'));
      },
    });
    await eventually(`${topic} to carry what the test expects`, async () => done(latest), 60_000);
    return new Map(latest);
  } finally {
    await consumer.disconnect();
  }
}

describe('identity stitching across devices, and erasure', () => {
  const userId = `user-${randomUUID()}`;
  const deviceA = newVisitor();
  const deviceB = newVisitor();

  it('joins two devices into one profile, the anonymous prefix of the login session included', async () => {
    const t = Date.now() - 60_000;
    // Device A: a landing page and a product viewed anonymously, then the login, then a view and an exposure as the user.
    await ingest([pageView(deviceA, t - 1), productClick(deviceA, 'sku-before-login', 'garden', t), productClick(deviceA, 'sku-garden-2', 'garden', t + 1)]);
    await ingest([identify(deviceA, userId, t + 2), { ...productClick(deviceA, 'sku-after-login', 'kitchen', t + 3), userId }, { ...exposure(deviceA, 'similar', t + 4), userId }]);
    // Device B: another anonymous id, exposed while anonymous, which logs in as the same user.
    await ingest([productClick(deviceB, 'sku-device-b', 'books', t + 10), exposure(deviceB, 'popular', t + 10), identify(deviceB, userId, t + 11), { ...productClick(deviceB, 'sku-b-logged-in', 'books', t + 12), userId }]);

    const wanted = ['sku-before-login', 'sku-garden-2', 'sku-after-login', 'sku-device-b', 'sku-b-logged-in'];
    await eventually('one profile with both devices', async () => {
      const profile = await profileOf('user', userId);
      return profile !== null && wanted.every((id) => profile.recentlyViewed.includes(id));
    }, 60_000);

    const profile = (await profileOf('user', userId)) as ProfileView;
    expect(profile.kind).toBe('user');
    expect(profile.id).toBe(userId);
    expect(profile.userId).toBe(userId);
    expect([...profile.anonymousIds].sort()).toEqual([deviceA.anonymousId, deviceB.anonymousId].sort());
    expect(Object.keys(profile.affinities).sort()).toEqual(['books', 'garden', 'kitchen']);
    expect(profile.sessions).toBe(2);
    // A device's profile is its own, what it did while anonymous: never its user's, though it is linked.
    const ownA = await profileOf('device', deviceA.anonymousId);
    expect(ownA).toMatchObject({ kind: 'device', id: deviceA.anonymousId, anonymousIds: [deviceA.anonymousId], recentlyViewed: ['sku-garden-2', 'sku-before-login'] });
    expect(ownA?.userId).toBeUndefined();
    expect((await profileOf('device', deviceB.anonymousId))?.recentlyViewed).toEqual(['sku-device-b']);
    // The user id named as a device, and a device id named as a user, are nobody.
    expect(await profileOf('device', userId)).toBeNull();
    expect(await profileOf('user', deviceA.anonymousId)).toBeNull();
    // The prefix changed the user's profile only: the view before login counts once in popularity.
    expect(await scoreOverParts(redis, layout, (keys) => keys.popularity, 'sku-before-login')).toBe(1);

    const links = await latestByKey(topics.identity, (l) => l.has(deviceA.anonymousId) && l.has(deviceB.anonymousId));
    for (const device of [deviceA, deviceB]) expect(JSON.parse(links.get(device.anonymousId) as string)).toMatchObject({ userId, linkedAt: expect.any(Number) });
    // Snapshots are keyed by the profile's ref.
    const snapshots = await latestByKey(topics.profiles, (l) => l.has(userRef(userId)));
    expect(JSON.parse(snapshots.get(userRef(userId)) as string)).toMatchObject({ kind: 'user', id: userId, userId });
  });

  it('erases the user: every read answers nothing, the compacted topics carry tombstones, and events in flight do not bring it back', async () => {
    const sessionIds = [deviceA.sessionId, deviceB.sessionId].sort();
    const unitOf = (ref: string) => redis.hGet(layout.profile(ref).experimentUnits(EXPERIMENT), ref);
    const devices = new Map([deviceA, deviceB].map((d) => [d.sessionId, d.anonymousId]));
    // What the other stages keep of the person exists before the erasure, so its absence afterwards means something
    // (the session's traffic source is kept with the device's open session by the identity stage).
    await eventually('the sessions, recs, rollups and experiments to hold the person', async () => {
      const [asUser, asDeviceB] = await Promise.all([unitOf(userRef(userId)), unitOf(deviceRef(deviceB.anonymousId))]);
      const sessionsHeld = await Promise.all(sessionIds.map((id) => redis.exists(layout.deviceSessions(devices.get(id) as string).session(id))));
      const recsHeld = await Promise.all(sessionIds.flatMap((id) => [partsHolding(redis, layout, (k) => k.recsSessionItems(id)), partsHolding(redis, layout, (k) => k.recsSessionTime(id))]));
      const prefixHeld = await redis.exists(layout.deviceIdentity(deviceA.anonymousId).prefixSession(deviceA.anonymousId));
      return asUser !== null && asDeviceB !== null && sessionsHeld.every((n) => n === 1) && recsHeld.every((n) => n > 0) && prefixHeld === 1;
    }, 60_000);
    await latestByKey(topics.sessions, (l) => sessionIds.every((id) => typeof l.get(id) === 'string'));
    const exposedUnits = await countsOverParts(redis, layout, (keys) => keys.experimentCounts(EXPERIMENT));

    const { status, body } = await call('DELETE', `/v1/users/${encodeURIComponent(userId)}`);
    expect(status).toBe(202);
    const erased = body as ErasureResult;
    expect(erased.userId).toBe(userId);
    // This collector has no EDGE_URL: the answer says the edge was not asked.
    expect(erased.edge).toEqual({ reached: false, reason: expect.stringMatching(/^EDGE_URL is not set/) });
    expect([...erased.anonymousIds].sort()).toEqual([deviceA.anonymousId, deviceB.anonymousId].sort());
    expect(erased.redisKeysRemoved).toBeGreaterThan(0);
    expect(erased.tombstones.profiles).toEqual(expect.arrayContaining([userRef(userId), deviceRef(deviceA.anonymousId), deviceRef(deviceB.anonymousId)]));
    expect([...erased.tombstones.sessions].sort()).toEqual(sessionIds);

    expect(await profileOf('user', userId)).toBeNull();
    for (const device of [deviceA, deviceB]) expect(await profileOf('device', device.anonymousId)).toBeNull();
    for (const query of [`user=${encodeURIComponent(userId)}`, `device=${deviceA.anonymousId}`]) {
      const recs = await call('GET', `/v1/recs?${query}`);
      expect(recs.status).toBe(200);
      expect((recs.body as { source: string }).source).toBe('popularity');
    }

    // An event of device A ingested before the erasure, reaching the pipeline only now.
    const erasedBefore = identityOutcomes.reduce((sum, o) => sum + o.erased, 0);
    const sessionRecordsBefore = sessionOutcomes.reduce((sum, o) => sum + o.applied, 0);
    const late = { ...productClick(deviceA, 'sku-late', 'garden', Date.now() - 30_000), userId };
    await infra.producer.send({ topic: topics.events, acks: -1, messages: [encodeEventRecord(late, { siteKey: 'demo-site-key', receivedAt: Date.now() - 30_000, ingestedAt: Date.now() - 29_000 })] });
    await eventually('the late event to be dropped', async () => identityOutcomes.reduce((sum, o) => sum + o.erased, 0) > erasedBefore);
    await eventually('the sessions stage to read the late event', async () => sessionOutcomes.reduce((sum, o) => sum + o.applied, 0) > sessionRecordsBefore);
    expect(await profileOf('user', userId)).toBeNull();
    expect(await profileOf('device', deviceA.anonymousId)).toBeNull();
    expect(await redis.get(layout.deviceIdentity(deviceA.anonymousId).link(deviceA.anonymousId))).toBeNull();

    const links = await latestByKey(topics.identity, (l) => l.get(deviceA.anonymousId) === null && l.get(deviceB.anonymousId) === null);
    expect(links.get(deviceA.anonymousId)).toBeNull();
    const snapshots = await latestByKey(topics.profiles, (l) => l.get(userRef(userId)) === null);
    expect(snapshots.get(userRef(userId))).toBeNull();
    const sessions = await latestByKey(topics.sessions, (l) => sessionIds.every((id) => l.get(id) === null));
    for (const id of sessionIds) expect(sessions.get(id)).toBeNull();

    // Nothing under the prefix names or holds the person or its sessions; the markers that keep in-flight events out are named by marks.
    const ids = [userId, deviceA.anonymousId, deviceB.anonymousId];
    const markers = [userRef(userId), deviceRef(deviceA.anonymousId), deviceRef(deviceB.anonymousId)].flatMap((ref) => layout.markerScopes().map(({ topic, partition }) => marks.at(topic, partition).key(ref)));
    expect((await Promise.all(markers.map((key) => redis.exists(key)))).reduce((a, b) => a + b, 0)).toBe(markers.length);
    expect(await personTraces(infra.client, prefix, [...ids, ...sessionIds])).toEqual([]);
    // The experiment's counts are anonymous aggregates and stay as they were.
    expect(await countsOverParts(redis, layout, (keys) => keys.experimentCounts(EXPERIMENT))).toEqual(exposedUnits);
  });
});
