/**
 * Live sessions on real Kafka and Redis: the pipeline's sessions stage emits
 * open snapshots to the compacted sessions topic on a wall-clock cadence
 * while a session is active, and a closing snapshot once it has been idle
 * for the gap, with no event arriving to move anything along; a pipeline
 * killed between a session's last event and its gap still closes it.
 * Shortened cadence and gap, so the test waits seconds rather than minutes.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventRecord, topicNames, userRef, type ProfileView, type SessionflowEvent, type Topics } from '@sessionflow/core';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { startPipeline, type RunningPipeline } from '../../src/pipeline/pipeline.js';
import type { SessionSnapshot } from '../../src/pipeline/sessions/snapshot.js';
import { redisReadStore } from '../../src/read/redis-store.js';
import type { StoreClient } from '../../src/store/client.js';
import { addToCart, connectRedis, eventually, type Infra, layoutOf, newVisitor, pageView, pipelineSettings, productClick, startInfra, startPipelineChild, type Visitor } from './support.js';

const INTERVAL_MS = 1_500;
const GAP_MS = 4_000;
/** Longer, so the killed pipeline cannot have closed the session before it is killed. */
const RESTART_GAP_MS = 8_000;

let infra: Infra;
let kafka: Kafka;
let producer: Producer;

beforeAll(async () => {
  infra = await startInfra();
  ({ kafkaClient: kafka, producer } = infra);
});

afterAll(async () => {
  await infra?.stop();
});

const createTopics = (topics: Topics) => infra.createTopics(topics);

/** Events as the edge relays them: arrived now, by the edge's clock. */
async function send(topics: Topics, events: SessionflowEvent[]): Promise<void> {
  const receivedAt = Date.now();
  const messages = events.map((e) => encodeEventRecord(e, { siteKey: 'demo-site-key', receivedAt, ingestedAt: receivedAt + 1 }));
  await producer.send({ topic: topics.events, acks: -1, messages });
}

async function recordsIn(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Everything on the sessions topic, in order per session, read by a group of the test's own. */
class SessionsTopic {
  readonly snapshots: SessionSnapshot[] = [];
  private consumer: Consumer | undefined;

  async start(topics: Topics): Promise<void> {
    this.consumer = kafka.consumer({ groupId: `${topics.sessions}-reader`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topics.sessions], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const snapshot = JSON.parse(message.value?.toString('utf8') ?? 'null') as SessionSnapshot;
        expect(message.key?.toString('utf8')).toBe(snapshot.sessionId);
        this.snapshots.push(snapshot);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  of(visitor: Visitor, state?: SessionSnapshot['state']): SessionSnapshot[] {
    return this.snapshots.filter((s) => s.sessionId === visitor.sessionId && (state === undefined || s.state === state));
  }
}

/** The latest snapshot of each profile on the profiles topic, read by a group of the test's own. */
class ProfilesTopic {
  readonly latest = new Map<string, ProfileView | null>();
  private consumer: Consumer | undefined;

  async start(topics: Topics): Promise<void> {
    this.consumer = kafka.consumer({ groupId: `${topics.profiles}-reader`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topics.profiles], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value?.toString('utf8');
        this.latest.set(message.key?.toString('utf8') ?? '', value === undefined ? null : (JSON.parse(value) as ProfileView));
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

const identify = (visitor: Visitor, userId: string): SessionflowEvent => ({ ...pageView(visitor), type: 'identify', userId });
const dwell = (visitor: Visitor, activeMs: number): SessionflowEvent => ({ ...pageView(visitor), type: 'dwell', activeMs });

const settings = (prefix: string, sessionGapMs = GAP_MS) => ({
  ...pipelineSettings(infra, prefix),
  snapshotIntervalMs: INTERVAL_MS,
  sessionGapMs,
});

describe('live session snapshots', () => {
  const prefix = 'it-sessions';
  const topics = topicNames(prefix);
  const sessions = new SessionsTopic();
  const profiles = new ProfilesTopic();
  let pipeline: RunningPipeline;
  let redis: StoreClient;

  beforeAll(async () => {
    await createTopics(topics);
    await sessions.start(topics);
    await profiles.start(topics);
    redis = await connectRedis(infra.redis.url);
    pipeline = await startPipeline(settings(prefix));
    await eventually('the pipeline to be ready', async () => (await fetch(`${pipeline.url}/readyz`)).status === 200, 60_000);
  });

  afterAll(async () => {
    await pipeline?.close();
    await sessions.stop();
    await profiles.stop();
    await redis?.close();
  });

  it('shows a new session open, then closes it after the gap while no further event arrives', async () => {
    const visitor = newVisitor();
    await send(topics, [pageView(visitor), productClick(visitor, 'mug', 'kitchen'), addToCart(visitor, 'mug')]);
    const sent = await recordsIn(topics.events);

    await eventually('an open snapshot of the session', async () => sessions.of(visitor, 'open').some((s) => s.counts.events === 3));
    const open = sessions.of(visitor, 'open').find((s) => s.counts.events === 3);
    expect(open).toMatchObject({
      anonymousId: visitor.anonymousId,
      counts: { events: 3, pageViews: 1, productViews: 1, cartItems: 1 },
      signals: { topCategory: 'kitchen', productViews: 1, cartItems: 1 },
    });

    await eventually('the closing snapshot', async () => sessions.of(visitor, 'closed').length > 0);
    // Nothing new reached the events topic: the wall clock alone closed the session.
    expect(await recordsIn(topics.events)).toBe(sent);
    const closed = sessions.of(visitor, 'closed')[0]!;
    expect(closed).toMatchObject({ anonymousId: visitor.anonymousId, startedAt: open!.startedAt, lastActivityAt: open!.lastActivityAt, counts: open!.counts });
    expect(closed.snapshotAt - closed.lastActivityAt).toBeGreaterThan(GAP_MS);
    // The closing snapshot is the session's last word.
    expect(sessions.of(visitor).at(-1)?.state).toBe('closed');
  });

  it("keeps a user's engagement baseline over the sessions that closed, in the profile read and its snapshot", async () => {
    const userId = `user-${randomUUID()}`;
    const device = newVisitor();
    // The login happens in the first session; the second one's events carry no user id, only the device's link names the user.
    const first = [pageView(device), identify(device, userId), productClick(device, 'mug', 'kitchen'), dwell(device, 1_200), pageView(device), dwell(device, 300)];
    const later: Visitor = { anonymousId: device.anonymousId, sessionId: `session-${randomUUID()}` };
    const second = [pageView(later), dwell(later, 900), addToCart(later, 'mug')];
    await send(topics, first);
    await eventually('the first session to close', async () => sessions.of(device, 'closed').length > 0);
    await send(topics, second);
    await eventually('the second session to close', async () => sessions.of(later, 'closed').length > 0);

    const sessionsSent = [first, second];
    const expected = {
      sessions: sessionsSent.length,
      avgEvents: sessionsSent.reduce((sum, events) => sum + events.length, 0) / sessionsSent.length,
      avgPageViews: sessionsSent.reduce((sum, events) => sum + events.filter((e) => e.type === 'page_view').length, 0) / sessionsSent.length,
      avgActiveMs: sessionsSent.reduce((sum, events) => sum + events.reduce((ms, e) => ms + (e.type === 'dwell' ? e.activeMs : 0), 0), 0) / sessionsSent.length,
    };
    const store = redisReadStore(redis, layoutOf(prefix));
    const user = { kind: 'user', id: userId } as const;
    await eventually('both sessions in the baseline', async () => (await store.profile(user, Date.now()))?.baseline?.sessions === 2);
    expect((await store.profile(user, Date.now()))?.baseline).toEqual(expected);
    // The device's own profile (its anonymous start) is the device's: both sessions counted for the user, none for it.
    const own = await store.profile({ kind: 'device', id: device.anonymousId }, Date.now());
    expect(own?.kind).toBe('device');
    expect(own?.baseline).toBeUndefined();
    // Snapshots are keyed by the profile's ref.
    await eventually('a profile snapshot with both sessions', async () => profiles.latest.get(userRef(userId))?.baseline?.sessions === 2);
    expect(profiles.latest.get(userRef(userId))?.baseline).toEqual(expected);
  });

  it('keeps snapshotting a session that keeps getting events, no more often than the interval', async () => {
    const visitor = newVisitor();
    const events = [pageView(visitor), ...Array.from({ length: 15 }, (_, i) => productClick(visitor, `p${i % 4}`, i % 2 === 0 ? 'even' : 'odd'))];
    for (const event of events) {
      await send(topics, [event]);
      await sleep(300);
    }
    await eventually('a snapshot of every event', async () => sessions.of(visitor, 'open').some((s) => s.counts.events === events.length));

    const open = sessions.of(visitor, 'open');
    expect(open.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < open.length; i++) {
      expect(open[i]!.counts.events).toBeGreaterThan(open[i - 1]!.counts.events);
      expect(open[i]!.snapshotAt - open[i - 1]!.snapshotAt).toBeGreaterThanOrEqual(INTERVAL_MS);
    }
    // Never closed while active: whatever closing came (the gap after the last event) came after the last open one.
    const states = sessions.of(visitor).map((s) => s.state);
    expect(states.slice(0, states.lastIndexOf('open') + 1)).not.toContain('closed');
  });
});

describe('a pipeline killed between a session\'s last event and its gap', () => {
  const prefix = 'it-sessions-restart';
  const topics = topicNames(prefix);
  const sessions = new SessionsTopic();

  it('closes the session after the restart', async () => {
    await createTopics(topics);
    await sessions.start(topics);
    const child = startPipelineChild(infra, {
      name: 'pipeline',
      prefix,
      logName: 'sessions-killed.log',
      env: { PIPELINE_SNAPSHOT_INTERVAL_MS: String(INTERVAL_MS), PIPELINE_SESSION_GAP_MS: String(RESTART_GAP_MS) },
    });
    let restarted: RunningPipeline | undefined;
    try {
      const visitor = newVisitor();
      await send(topics, [pageView(visitor), productClick(visitor, 'rake', 'garden')]);
      await eventually('the first pipeline to show the session open', async () => sessions.of(visitor, 'open').some((s) => s.counts.events === 2), 60_000);
      // No goodbye, before the gap: the closing snapshot is now the restarted pipeline's to send.
      process.kill(-child.pid, 'SIGKILL');
      await child.exited;
      // The premise: the killed pipeline had not closed it.
      expect(sessions.of(visitor, 'closed')).toEqual([]);

      restarted = await startPipeline(settings(prefix, RESTART_GAP_MS));
      await eventually('the restarted pipeline to close the session', async () => sessions.of(visitor, 'closed').length > 0, 60_000);
      expect(sessions.of(visitor, 'closed')[0]).toMatchObject({ anonymousId: visitor.anonymousId, counts: { events: 2, pageViews: 1, productViews: 1 } });
    } finally {
      await restarted?.close();
      await child.stop(5_000);
      await sessions.stop();
    }
  });
});
