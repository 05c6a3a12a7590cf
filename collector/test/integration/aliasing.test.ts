/**
 * Ids crafted to alias someone else's keys, on a real redis-server, through
 * the pipeline's own apply code (the identity, sessions and aggregates stages,
 * the baseline's closing snapshots) and its erasure: a user `victim` with a
 * device, and an anonymous bystander, are stored first; then users and devices
 * named `victim:affinities`, `{victim}`, `victim}`, `%76ictim`, the victim's
 * device id as a user id, ref-shaped ids, a 5,000-character id... browse, log
 * in, get exposed, buy, and are erased. Every key of the victim and the
 * bystander holds exactly what it held before, at each step.
 *
 * The ids the event schema accepts go in as the collector would pass them;
 * the others (braces, `%`, the long one) are refused by the schema and are
 * written into the records directly, as a bug or a replayed topic might:
 * the keys must not depend on the schema to stay apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRef, topicNames, userRef, validateEvent } from '@sessionflow/core';
import { applyBatch, type ApplyDeps } from '../../src/pipeline/apply.js';
import { DEFAULT_PIPELINE_CONFIG } from '../../src/pipeline/config.js';
import { applyIdentityBatch } from '../../src/pipeline/identity/apply.js';
import { eraseUser } from '../../src/erasure/erase-user.js';
import { erasureMarks } from '../../src/erasure/marks.js';
import { readStoredProfile } from '../../src/pipeline/identity/profile-read.js';
import type { KeyedRecord } from '../../src/pipeline/identity/records.js';
import { applySessionBatch } from '../../src/pipeline/sessions/apply.js';
import { closedSessionValue } from '../../src/pipeline/baseline/closing.js';
import { layoutOf, startRedisInfra, type RedisInfra, type TestRedis } from './support.js';
import type { StoreClient } from '../../src/store/client.js';

const prefix = 'it-alias';
const topics = topicNames(prefix);
// One partition per topic: the records are applied by hand, all on partition 0, which then owns every id.
const layout = layoutOf(prefix, 1);
const keys = layout.byUser(0);
const idKeys = layout.deviceIdentity('');
const sesKeys = layout.deviceSessions('');
const marks = erasureMarks(prefix, 'aliasing-test-erasure-secret');
const experiments = DEFAULT_PIPELINE_CONFIG.experiments;
const EXPERIMENT = 'recs-strategy';

let infra: RedisInfra;
let redis: TestRedis;
let client: StoreClient;

beforeAll(async () => {
  infra = await startRedisInfra();
  redis = infra.store;
  client = infra.client;
}, 60_000);

afterAll(async () => {
  await infra?.stop();
});

// ---------------------------------------------------------------- events and the stages' apply code

let counter = 0;
let eventsOffset = 0n;
let byUserOffset = 0n;

type Body = Record<string, unknown>;

/** An event as the SDK sends it (the collector adds `ingest` on its way to Kafka: `pipe` does here). */
function event(anonymousId: string, sessionId: string, body: Body, userId?: string): Body {
  counter++;
  return {
    schemaVersion: 1,
    eventId: `evt-alias-${String(counter).padStart(6, '0')}`,
    anonymousId,
    sessionId,
    timestamp: Date.now() - 60_000 + counter,
    page: { url: 'https://shop.example/', referrer: '' },
    ...(userId !== undefined ? { userId } : {}),
    ...body,
  };
}

/** A visit: a page view and a product view while anonymous, the login, a view, an exposure, an add to cart and a purchase as the user. */
function visit(userId: string, anonymousId: string, sessionId: string, category: string): Body[] {
  return [
    event(anonymousId, sessionId, { type: 'page_view' }),
    event(anonymousId, sessionId, { type: 'click', element: { tag: 'a' }, product: { id: `sku-${category}-1`, category } }),
    event(anonymousId, sessionId, { type: 'identify' }, userId),
    event(anonymousId, sessionId, { type: 'click', element: { tag: 'a' }, product: { id: `sku-${category}-2`, category } }, userId),
    event(anonymousId, sessionId, { type: 'exposure', actionId: 'recs-home', experiment: EXPERIMENT, variant: 'popular' }, userId),
    event(anonymousId, sessionId, { type: 'track', name: 'add_to_cart', props: { productId: `sku-${category}-2` } }, userId),
    event(anonymousId, sessionId, { type: 'track', name: 'purchase', props: { productId: `sku-${category}-2` } }, userId),
  ];
}

/** The by-user record the sessions ticker would send for a visit's closing snapshot (the baseline reads it). */
function closing(anonymousId: string, sessionId: string, userId?: string): string {
  return closedSessionValue(closingSnapshot(anonymousId, sessionId, userId), userId !== undefined ? userRef(userId) : deviceRef(anonymousId));
}

function closingSnapshot(anonymousId: string, sessionId: string, userId?: string): string {
  return JSON.stringify({ sessionId, anonymousId, ...(userId !== undefined ? { userId } : {}), state: 'closed', startedAt: Date.now() - 60_000, lastActivityAt: Date.now() - 1_000, counts: { events: 7, pageViews: 1, productViews: 2, cartItems: 1, activeMs: 500 }, snapshotAt: Date.now() });
}

const batch = (topic: string, values: readonly string[], next: () => bigint) => ({ topic, partition: 0, messages: values.map((value) => ({ offset: String(next()), key: null, value })) });

/** Runs events through the stages as the pipeline does: identity (re-keys to by-user), sessions, then aggregates on what identity sent. */
async function pipe(events: readonly Body[], closings: readonly string[] = []): Promise<void> {
  const raw = events.map((e) => JSON.stringify({ ...e, ingest: { siteKey: 'demo-site-key', receivedAt: e['timestamp'], ingestedAt: e['timestamp'] } }));
  const sent: KeyedRecord[] = [];
  const onEvents = batch(topics.events, raw, () => eventsOffset++);
  await applyIdentityBatch({ redis: client, prefix, owners: layout.owners.events, marks, topics, send: async (records) => void sent.push(...records) }, onEvents);
  await applySessionBatch({ redis: client, prefix, owners: layout.owners.events, marks, seenTtlSeconds: 3_600, snapshotIntervalMs: 5_000 }, onEvents);
  const byUser = sent.filter((r) => r.topic === topics.eventsByUser).map((r) => r.value as string);
  const aggregates: ApplyDeps = { redis: client, layout, marks, seenTtlSeconds: 3_600, experiments };
  await applyBatch(aggregates, batch(topics.eventsByUser, [...byUser, ...closings], () => byUserOffset++));
}

async function erase(userId: string): Promise<void> {
  const own = client.duplicate();
  await own.connect();
  try {
    await eraseUser(
      {
        redis: own,
        layout,
        marks,
        experiments: [EXPERIMENT],
        topics,
        send: async () => undefined,
        edge: undefined,
        markerLifeMs: 3_600_000,
        clock: Date.now,
      },
      userId,
    );
  } finally {
    await own.close();
  }
}

// ---------------------------------------------------------------- what "someone else's state" is

/** Keys every person's activity changes by design: sums, unions and indexes that name no one's state but their own entries. */
const SHARED = [/^popularity/, /^rollup:/, /^experiment:/, /^recs:item:/, /^(identity:|sessions:)?offset$/, /^sessions:(open|due)$/, /^profiles:updated-at$/, /^products$/, /^inventory$/];

/** A key's name after the prefix and its partition's hash tag. */
const ownName = (key: string) => key.slice(prefix.length + 1).replace(/^\{[^}]*\}:/, '');

async function contentOf(key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return `string ${await redis.get(key)}`;
    case 'hash':
      return `hash ${JSON.stringify(Object.entries(await redis.hGetAll(key)).sort())}`;
    case 'set':
      return `set ${JSON.stringify((await redis.sMembers(key)).sort())}`;
    case 'zset':
      return `zset ${JSON.stringify(await redis.zRangeWithScores(key, 0, -1))}`;
    case 'list':
      return `list ${JSON.stringify(await redis.lRange(key, 0, -1))}`;
    default:
      throw new Error(`${key}: a ${type}, which no stage writes`);
  }
}

/** Every key under the prefix that is someone's own (not SHARED), with its content; and the victims' entries in the shared ones. */
async function stateOf(refs: readonly string[]): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
    for (const key of batch) {
      if (!SHARED.some((pattern) => pattern.test(ownName(key)))) state.set(key, await contentOf(key));
    }
  }
  for (const ref of refs) {
    state.set(`units of ${ref}`, String(await redis.hGet(keys.experimentUnits(EXPERIMENT), ref)));
    state.set(`updated-at of ${ref}`, String(await redis.zScore(keys.profilesUpdatedAt, ref)));
  }
  return state;
}

/** What changed, added or went of the `before` keys: none may. */
function changed(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): { key: string; before: string; after: string | undefined }[] {
  return [...before].filter(([key, value]) => after.get(key) !== value).map(([key, value]) => ({ key, before: value.slice(0, 200), after: after.get(key)?.slice(0, 200) }));
}

// ---------------------------------------------------------------- the test

describe('ids crafted to alias a key', () => {
  const victim = { userId: 'victim', anonymousId: 'anon-victim-0001', sessionId: 'session-victim-0001' };
  const bystander = { anonymousId: 'anon-bystander-01', sessionId: 'session-bystander-01' };
  const victimRefs = [userRef(victim.userId), deviceRef(victim.anonymousId), deviceRef(bystander.anonymousId)];

  /** Users and the devices they browse on, every event of which the event schema accepts: they reach the pipeline through the collector as they are. */
  const schemaValid: [string, string][] = [
    ['victim:affinities', 'u:victim'],
    ['victim:sessions', `${victim.anonymousId}:events`],
    ['victim:devices', 'anon-attacker-0002'],
    ['victim:baseline', 'anon-attacker-0003'],
    [victim.anonymousId, 'anon-attacker-0004'],
    [`a:${victim.anonymousId}`, 'anon-attacker-0005'],
    ['u:victim', 'anon-attacker-0006'],
    [`${victim.anonymousId}:session`, 'anon-attacker-0007'],
  ];
  /** Ids the schema refuses (braces, `%`, a space, too short, too long, not ASCII): written into the records directly. */
  const schemaBypassing: [string, string][] = [
    ['{victim}', 'victim'],
    ['victim}', '{anon-victim-0001}'],
    ['{victim', 'anon-attacker-0010'],
    ['%76ictim', 'anon-attacker-0011'],
    ['victim%3Aaffinities', 'anon-attacker-0012'],
    ['victim :affinities', 'anon-attacker-0013'],
    [`victim:${'x'.repeat(5_000)}`, 'anon-attacker-0014'],
    ['vіctim', 'anon-attacker-0015'],
  ];
  const crafted = [...schemaValid, ...schemaBypassing];
  const visitOf = ([userId, device]: [string, string], i: number) => visit(userId, device, `session-attacker-${i}`, `cat-${i}`);

  let before: Map<string, string>;

  beforeAll(async () => {
    await pipe(
      [
        ...visit(victim.userId, victim.anonymousId, victim.sessionId, 'kitchen'),
        event(bystander.anonymousId, bystander.sessionId, { type: 'page_view' }),
        event(bystander.anonymousId, bystander.sessionId, { type: 'click', element: { tag: 'a' }, product: { id: 'sku-books-1', category: 'books' } }),
        event(bystander.anonymousId, bystander.sessionId, { type: 'exposure', actionId: 'recs-home', experiment: EXPERIMENT, variant: 'similar' }),
      ],
      [closing(victim.anonymousId, victim.sessionId, victim.userId), closing(bystander.anonymousId, bystander.sessionId)],
    );
    before = await stateOf(victimRefs);
  });

  it('stores the victim and the bystander first, so that there is something to protect', async () => {
    const profile = await readStoredProfile(client, layout, userRef(victim.userId), Date.now());
    expect(profile).toMatchObject({ kind: 'user', id: victim.userId, sessions: 1, recentlyViewed: ['sku-kitchen-2', 'sku-kitchen-1'], purchased: ['sku-kitchen-2'], baseline: { sessions: 1 } });
    expect(Object.keys(profile?.affinities ?? {})).toEqual(['kitchen']);
    expect(await readStoredProfile(client, layout, deviceRef(bystander.anonymousId), Date.now())).toMatchObject({ kind: 'device', recentlyViewed: ['sku-books-1'], baseline: { sessions: 1 } });
    for (const key of [keys.profileAffinities(userRef(victim.userId)), keys.profileSessions(userRef(victim.userId)), keys.profileDevices(userRef(victim.userId)), keys.profileBaseline(userRef(victim.userId)), idKeys.link(victim.anonymousId), sesKeys.session(victim.sessionId), sesKeys.device(victim.anonymousId)]) {
      expect(before.has(key)).toBe(true);
    }
    expect(before.get(`units of ${userRef(victim.userId)}`)).toBe('1popular');
  });

  it('tells the two kinds of crafted ids apart the way the collector would', () => {
    const refused = (events: Body[]) => events.filter((e) => !validateEvent(e).ok);
    expect(schemaValid.flatMap((pair, i) => refused(visitOf(pair, i)))).toEqual([]);
    for (const [i, pair] of schemaBypassing.entries()) expect(refused(visitOf(pair, i)).length, pair[0].slice(0, 40)).toBeGreaterThan(0);
  });

  it("lets no crafted id change anyone else's state, through the pipeline or around the schema", async () => {
    const events = crafted.flatMap(visitOf);
    // Anonymous attackers too, never logging in: devices named like the victim's keys and like its device's ref.
    events.push(event('victim:affinities', 'session-anon-attacker', { type: 'click', element: { tag: 'a' }, product: { id: 'sku-x', category: 'affinities' } }));
    events.push(event(`a:${victim.anonymousId}`, 'session-anon-attacker-2', { type: 'exposure', actionId: 'recs-home', experiment: EXPERIMENT, variant: 'similar' }));
    await pipe(events, crafted.map(([userId, device], i) => closing(device, `session-attacker-${i}`, userId)));

    // The attackers' own profiles exist, each under its own ref: the test reached what it meant to.
    for (const [i, [userId]] of crafted.entries()) {
      const own = await readStoredProfile(client, layout, userRef(userId), Date.now());
      expect(own, userId.slice(0, 40)).toMatchObject({ kind: 'user', id: userId, recentlyViewed: [`sku-cat-${i}-2`, `sku-cat-${i}-1`], baseline: { sessions: 1 } });
      expect(Object.keys(own?.affinities ?? {})).toEqual([`cat-${i}`]);
    }
    expect(await readStoredProfile(client, layout, deviceRef('victim:affinities'), Date.now())).toMatchObject({ kind: 'device', recentlyViewed: ['sku-x'] });
    expect(await redis.hGet(keys.experimentUnits(EXPERIMENT), deviceRef(`a:${victim.anonymousId}`))).toBe('0similar');

    expect(changed(before, await stateOf(victimRefs))).toEqual([]);
    expect((await readStoredProfile(client, layout, userRef(victim.userId), Date.now()))?.anonymousIds).toEqual([victim.anonymousId]);
  });

  it('lets no erasure of a crafted id erase anyone else', async () => {
    for (const [userId] of crafted) await erase(userId);
    // Each erasure took its own person away...
    for (const [userId] of crafted) expect(await readStoredProfile(client, layout, userRef(userId), Date.now()), userId.slice(0, 40)).toBeNull();
    // ...and only theirs.
    expect(changed(before, await stateOf(victimRefs))).toEqual([]);
    expect(await readStoredProfile(client, layout, userRef(victim.userId), Date.now())).toMatchObject({ kind: 'user', id: victim.userId, sessions: 1 });
    expect(await readStoredProfile(client, layout, deviceRef(victim.anonymousId), Date.now())).toMatchObject({ kind: 'device', id: victim.anonymousId });
  });
});
