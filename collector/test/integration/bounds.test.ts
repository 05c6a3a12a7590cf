/**
 * Bounded state, on real Kafka and Redis with the pipeline configured with
 * bounds of seconds: every key the stages write carries a TTL unless it is
 * bounded otherwise (one per partition, or trimmed to a size), and an
 * anonymous visitor's profile, session sets and seen-event keys go away by
 * their TTLs once the visitor is quiet, while a known user's profile, whose
 * quiet period is longer, stays. The waits poll Redis; nothing is timed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRef, encodeDecisionRecord, encodeEventRecord, SCHEMA_VERSION, topicNames, userRef, type SessionflowEvent } from '@sessionflow/core';
import { minuteOf } from '../../src/pipeline/rollups/minute.js';
import type { RunningPipeline } from '../../src/pipeline/pipeline.js';
import { profileKeysOf } from '../../src/pipeline/profiles/commands.js';
import { readStoredProfile } from '../../src/pipeline/identity/profile-read.js';
import { DEFAULT_STATE_BOUNDS, type StateBounds } from '../../src/store/bounds.js';
import { eventually, layoutOf, newVisitor, pageView, productClick, startInfra, startReadyPipeline, type Infra, type TestRedis, type Visitor } from './support.js';

const prefix = 'it-bounds';
const topics = topicNames(prefix);
const layout = layoutOf(prefix);

/** Seconds where the defaults say days; a user's profile still outlives an anonymous one by far. */
const bounds: StateBounds = { ...DEFAULT_STATE_BOUNDS, anonymousProfileTtlSeconds: 4, userProfileTtlSeconds: 3_600, sessionTtlSeconds: 4, recsTtlSeconds: 4, popularityKept: 220 };
const DEDUPE_TTL_S = 3;

let infra: Infra;
let redis: TestRedis;
let pipeline: RunningPipeline;

beforeAll(async () => {
  infra = await startInfra();
  redis = infra.store;
  pipeline = await startReadyPipeline(infra, prefix, {}, { bounds, dedupeTtlSeconds: DEDUPE_TTL_S, sessionGapMs: 1_000, snapshotIntervalMs: 500 });
}, 180_000);

afterAll(async () => {
  await pipeline?.close();
  await infra?.stop();
});

async function send(events: readonly SessionflowEvent[]): Promise<void> {
  const now = Date.now();
  await infra.producer.send({ topic: topics.events, acks: -1, messages: events.map((e) => encodeEventRecord(e, { siteKey: 'demo-site-key', receivedAt: now, ingestedAt: now })) });
}

/** A decision of the edge for the visitor's session, as the collector writes it (a `decision` record of the events topic). */
async function sendDecision(visitor: Visitor, at: number): Promise<void> {
  const decided = { id: `decision-${randomUUID()}`, at, ruleId: 'bounds-rule', actionId: 'bounds-rule:0', kind: 'banner', slot: 'banner', experiment: 'bounds-experiment', variant: 'a' };
  const message = encodeDecisionRecord(decided, visitor, { siteKey: 'demo-site-key', receivedAt: at, ingestedAt: at });
  await infra.producer.send({ topic: topics.events, acks: -1, messages: [message] });
}

function identify(visitor: Visitor, userId: string): SessionflowEvent {
  return { schemaVersion: SCHEMA_VERSION, eventId: `evt-${randomUUID()}`, anonymousId: visitor.anonymousId, sessionId: visitor.sessionId, timestamp: Date.now(), page: { url: 'https://shop.example/login', referrer: '' }, type: 'identify', userId };
}

/** Keys bounded by something other than a TTL: one per partition, the catalog, or trimmed to a size on every write. */
const BOUNDED_OTHERWISE = [/^(identity:|sessions:)?offset$/, /^popularity$/, /^profiles:updated-at$/, /^sessions:(open|due)$/, /^products$/, /^inventory$/];

/** A key's name after the prefix and its partition's hash tag. */
const ownName = (key: string) => key.slice(prefix.length + 1).replace(/^\{[^}]*\}:/, '');

/** Keys under the prefix with no TTL and no other bound, and how many keys there are. */
async function unboundedKeys(): Promise<{ unbounded: string[]; seen: number }> {
  const unbounded: string[] = [];
  let seen = 0;
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
    for (const key of batch) {
      seen++;
      if ((await redis.ttl(key)) === -1 && !BOUNDED_OTHERWISE.some((pattern) => pattern.test(ownName(key)))) unbounded.push(key);
    }
  }
  return { unbounded, seen };
}

describe('state with short bounds', () => {
  const anonymous = newVisitor();
  const device = newVisitor();
  const userId = `user-${randomUUID()}`;
  const anonymousEvents = [pageView(anonymous), productClick(anonymous, 'sku-1', 'kitchen'), productClick(anonymous, 'sku-2', 'garden')];
  const userEvents = [pageView(device), identify(device, userId), { ...productClick(device, 'sku-3', 'books'), userId }];

  /** What the stages keep of the anonymous visitor: its profile, its session's state and indexes, its prefix, the ids it was counted by. */
  const anonymousKeys = () => {
    const ref = deviceRef(anonymous.anonymousId);
    const keys = layout.profile(ref);
    const sesKeys = layout.deviceSessions(anonymous.anonymousId);
    const idKeys = layout.deviceIdentity(anonymous.anonymousId);
    return [
      ...profileKeysOf(ref, keys),
      sesKeys.session(anonymous.sessionId),
      sesKeys.device(anonymous.anonymousId),
      idKeys.prefixSession(anonymous.anonymousId),
      idKeys.prefixEvents(anonymous.anonymousId),
      keys.recsSessionItems(anonymous.sessionId),
      ...anonymousEvents.flatMap((e) => [keys.seenEvent(e.eventId), sesKeys.seenEvent(e.eventId)]),
    ];
  };
  const userKeys = layout.profile(userRef(userId));
  const anonymousProfile = layout.profile(deviceRef(anonymous.anonymousId));
  const sessionOf = (visitor: Visitor) => layout.deviceSessions(visitor.anonymousId).session(visitor.sessionId);
  const linkOf = (visitor: Visitor) => layout.deviceIdentity(visitor.anonymousId).link(visitor.anonymousId);

  it('puts a bound on every key the stages write', async () => {
    await send([...anonymousEvents, ...userEvents]);
    // The edge's decisions: kept with the session, counted as rule fires (their keys need bounds too).
    const decidedAt = Date.now();
    await sendDecision(anonymous, decidedAt);
    const fires = layout.deviceSessions(anonymous.anonymousId).ruleFires(minuteOf(decidedAt));
    await eventually('both profiles, both sessions and the rule fire in Redis', async () => {
      const [own, user] = await Promise.all([readStoredProfile(infra.client, layout, deviceRef(anonymous.anonymousId), Date.now()), readStoredProfile(infra.client, layout, userRef(userId), Date.now())]);
      return (
        own?.recentlyViewed.length === 2 &&
        user?.recentlyViewed.includes('sku-3') === true &&
        (await redis.exists(sessionOf(anonymous))) + (await redis.exists(sessionOf(device))) === 2 &&
        (await redis.exists(fires)) === 1
      );
    }, 60_000);
    expect(await redis.hGet(sessionOf(anonymous), 'decided')).toContain('bounds-rule');

    const { unbounded, seen } = await unboundedKeys();
    expect(seen).toBeGreaterThan(30);
    expect(unbounded).toEqual([]);
    // The anonymous profile's keys live for the anonymous quiet period, the user's for the user's.
    expect(await redis.ttl(anonymousProfile.profileAffinities(deviceRef(anonymous.anonymousId)))).toBeLessThanOrEqual(bounds.anonymousProfileTtlSeconds);
    expect(await redis.ttl(userKeys.profileAffinities(userRef(userId)))).toBeGreaterThan(bounds.anonymousProfileTtlSeconds);
    expect(await redis.ttl(linkOf(device))).toBeGreaterThan(bounds.anonymousProfileTtlSeconds);
  });

  it("lets an anonymous visitor's profile, session sets and seen-event keys go once it is quiet, and keeps the user's profile", async () => {
    const gone = anonymousKeys();
    // They existed (the session's items only if it viewed products: it did).
    const existing = await Promise.all(gone.filter((key) => !key.includes(':purchased') && !key.includes(':identity:prefix:')).map((key) => redis.exists(key)));
    expect(existing.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);

    // Its session leaves the open index too (closed by the ticker after the gap).
    const indexed = async () => (await redis.zScore(layout.deviceSessions(anonymous.anonymousId).open, anonymous.sessionId)) !== null;
    const left = async () => (await Promise.all(gone.map(async (key) => ((await redis.exists(key)) === 1 ? [key] : [])))).flat();
    await eventually('the anonymous visitor gone from Redis', async () => (await left()).length === 0 && !(await indexed()), 60_000).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; still there: ${(await left()).join(', ')}; in the open index: ${String(await indexed())}`);
    });
    expect(await readStoredProfile(infra.client, layout, deviceRef(anonymous.anonymousId), Date.now())).toBeNull();

    // The user is known: the profile stays (its quiet period is an hour here), with its session counted and its devices.
    const user = await readStoredProfile(infra.client, layout, userRef(userId), Date.now());
    expect(user).toMatchObject({ kind: 'user', id: userId, sessions: 1, anonymousIds: [device.anonymousId] });
    expect(user?.recentlyViewed).toContain('sku-3');
    expect(await redis.get(linkOf(device))).toBe(userId);
    // What the closing of the sessions wrote since (the engagement baselines, the counted sessions) is bounded too.
    await eventually("the user's closed session in its baseline", async () => (await redis.exists(userKeys.profileBaseline(userRef(userId)))) === 1, 60_000);
    expect((await unboundedKeys()).unbounded).toEqual([]);
  });
});
