/**
 * Too few in-sync replicas: what readiness says, and what ingest answers, with
 * the real batcher over a fake Kafka whose sends are settled by the test.
 */
import { describe, expect, it } from 'vitest';
import { decodeEventRecord, topicNames } from '@sessionflow/core';
import { createCollectorApp } from '../src/app.js';
import { ProduceBatcher, type TopicMessages } from '../src/ingest/batcher.js';
import { inSyncShortfall } from '../src/kafka/in-sync.js';
import { cachedProbe } from '../src/kafka/readiness.js';
import { writeReadiness } from '../src/kafka/write-readiness.js';
import { createLogger } from '../src/log.js';
import { createCollectorMetrics } from '../src/metrics.js';
import { ADMIN_SECRET, CATALOG_SECRET, crypto, envelope, FakeProbe, NOW, pageView, SECRET, signedHeaders } from './fakes.js';

const topics = topicNames('isr');

describe('inSyncShortfall', () => {
  const healthy = [0, 1, 2].map((partition) => ({ topic: 'sf.events', partition, leader: 1, isr: [1, 2, 3] }));

  it('is null while every partition has a leader and enough replicas in sync', () => {
    expect(inSyncShortfall(healthy, 2)).toBeNull();
    expect(inSyncShortfall(healthy.map((p) => ({ ...p, isr: [1, 2] })), 2)).toBeNull();
  });

  it('names the first partition short of in-sync replicas, the setting, and how many more are', () => {
    const short = healthy.map((p) => (p.partition === 0 ? p : { ...p, isr: [1] }));
    expect(inSyncShortfall(short, 2)).toBe('NOT_ENOUGH_REPLICAS: sf.events partition 1 has 1 in-sync replica, fewer than KAFKA_MIN_INSYNC_REPLICAS=2 (and 1 more partition)');
    expect(inSyncShortfall(short, 1)).toBeNull();
  });

  it('names a partition without a leader first', () => {
    const leaderless = [{ ...healthy[0]!, isr: [1] }, { ...healthy[2]!, leader: -1, isr: [] }];
    expect(inSyncShortfall(leaderless, 2)).toBe('LEADER_NOT_AVAILABLE: sf.events partition 2 has no leader');
  });
});

describe('writeReadiness', () => {
  it('says why a write would be refused: producer, in-sync replicas, or a send waiting past the produce timeout', async () => {
    let alive = true;
    let shortfall: string | null = null;
    let waited = 0;
    const check = writeReadiness({
      producerAlive: () => alive,
      inSync: async () => {
        if (shortfall !== null) throw new Error(shortfall);
      },
      unacknowledgedForMs: () => waited,
      produceTimeoutMs: 5_000,
    });
    await expect(check()).resolves.toBeUndefined();
    waited = 5_000;
    await expect(check()).resolves.toBeUndefined();
    waited = 5_001;
    await expect(check()).rejects.toThrow('REQUEST_TIMED_OUT: Kafka has not acknowledged the records sent 5001 ms ago');
    shortfall = 'NOT_ENOUGH_REPLICAS: sf.events partition 0 has 1 in-sync replica';
    await expect(check()).rejects.toThrow('NOT_ENOUGH_REPLICAS');
    alive = false;
    await expect(check()).rejects.toThrow('the Kafka producer stopped');
  });
});

/** A Kafka whose sends wait until the test acknowledges or refuses them, remembering which records it acknowledged. */
class HeldKafka {
  readonly acknowledged = new Set<string>();
  private held: { batch: TopicMessages[]; resolve: () => void; reject: (error: Error) => void }[] = [];

  readonly send = (batch: TopicMessages[]) => new Promise<void>((resolve, reject) => this.held.push({ batch, resolve, reject }));

  get waiting(): number {
    return this.held.length;
  }

  acknowledge(): void {
    for (const { batch, resolve } of this.held.splice(0)) {
      for (const { messages } of batch) for (const m of messages) this.acknowledged.add(decodeEventRecord(m.value)?.eventId ?? m.value);
      resolve();
    }
  }

  /** As kafkajs reports a broker's refusal (a KafkaJSProtocolError with its type). */
  refuse(type: string): void {
    for (const { reject } of this.held.splice(0)) reject(Object.assign(new Error(`refused: ${type}`), { name: 'KafkaJSProtocolError', type }));
  }
}

function collectorOver(kafka: HeldKafka, options: { produceTimeoutMs: number; now: () => number }) {
  const batcher = new ProduceBatcher(kafka.send, {}, options.now);
  let shortfall: string | null = null;
  const readiness = cachedProbe(
    writeReadiness({
      producerAlive: () => true,
      inSync: async () => {
        if (shortfall !== null) throw new Error(shortfall);
      },
      unacknowledgedForMs: () => batcher.unacknowledgedForMs(),
      produceTimeoutMs: options.produceTimeoutMs,
    }),
    { maxAgeMs: 0, timeoutMs: 1_000, now: options.now },
  );
  const app = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: 'isr-read-secret', catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: 64 * 1024, produceTimeoutMs: options.produceTimeoutMs },
    topics,
    sink: batcher,
    readiness,
    metrics: createCollectorMetrics({ defaultMetrics: false }),
    crypto,
    now: () => NOW,
    logger: createLogger('error', () => undefined),
  });
  const ingest = async (eventIds: string[]) => {
    const body = JSON.stringify(envelope(eventIds.map((eventId) => pageView('anon-aaaaaaaa', { eventId }))));
    return app.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body) });
  };
  return { app, batcher, readiness, ingest, setShortfall: (s: string | null) => (shortfall = s) };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Until the fake Kafka holds `n` sends (a request reaches it after its signature is checked). */
async function held(kafka: HeldKafka, n = 1): Promise<void> {
  for (let i = 0; i < 400 && kafka.waiting < n; i++) await tick();
  expect(kafka.waiting).toBe(n);
}

describe('ingest while Kafka has too few in-sync replicas', () => {
  it('answers 503 with Retry-After when the send is refused, and 202 only for what Kafka acknowledged', async () => {
    const kafka = new HeldKafka();
    const { ingest } = collectorOver(kafka, { produceTimeoutMs: 60_000, now: Date.now });

    const refused = ingest(['evt-refused-1', 'evt-refused-2']);
    await held(kafka);
    kafka.refuse('NOT_ENOUGH_REPLICAS_AFTER_APPEND');
    const answer = await refused;
    expect(answer.status).toBe(503);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await answer.json()).toMatchObject({ error: 'kafka_unavailable', message: expect.stringContaining('NOT_ENOUGH_REPLICAS_AFTER_APPEND') });

    const accepted = ingest(['evt-taken']);
    await held(kafka);
    kafka.acknowledge();
    const ok = await accepted;
    expect(ok.status).toBe(202);
    expect([...kafka.acknowledged]).toEqual(['evt-taken']);
  });

  it('answers 503 with Retry-After when Kafka holds the send past the timeout, says so in /readyz, and refuses at once until Kafka catches up', async () => {
    const kafka = new HeldKafka();
    let now = 1_000_000;
    const { app, ingest } = collectorOver(kafka, { produceTimeoutMs: 30, now: () => now });

    // The producer keeps retrying: the send never settles by itself, and the request times out.
    const timedOut = await ingest(['evt-held']);
    expect(timedOut.status).toBe(503);
    expect(timedOut.headers.get('retry-after')).not.toBeNull();
    expect((await timedOut.json()) as { error: string }).toMatchObject({ error: 'kafka_timeout' });
    expect(kafka.waiting).toBe(1);

    // Past the produce timeout with the send still unacknowledged: /readyz says why, and ingest refuses without waiting.
    now += 31;
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { message: string }).message).toContain('REQUEST_TIMED_OUT');
    const fast = await ingest(['evt-while-stalled']);
    expect(fast.status).toBe(503);
    expect(Number(fast.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(kafka.waiting).toBe(1);

    // Kafka takes the held send (the request was answered 503: at least once, never a 202 it did not earn), and ingest resumes.
    kafka.acknowledge();
    await tick();
    expect((await app.request('/readyz')).status).toBe(200);
    const resumed = ingest(['evt-after']);
    await held(kafka);
    kafka.acknowledge();
    expect((await resumed).status).toBe(202);
    expect([...kafka.acknowledged].sort()).toEqual(['evt-after', 'evt-held']);
  });

  it('says NOT_ENOUGH_REPLICAS in /readyz and a 503 with Retry-After while metadata shows a partition short of in-sync replicas', async () => {
    const kafka = new HeldKafka();
    const { app, ingest, setShortfall, readiness } = collectorOver(kafka, { produceTimeoutMs: 60_000, now: Date.now });
    setShortfall('NOT_ENOUGH_REPLICAS: isr.events partition 0 has 1 in-sync replica, fewer than KAFKA_MIN_INSYNC_REPLICAS=2');
    await readiness.check();
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { message: string }).message).toContain('isr.events partition 0 has 1 in-sync replica');
    const refused = await ingest(['evt-refused']);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { message: string }).message).toContain('NOT_ENOUGH_REPLICAS');
    expect(kafka.waiting).toBe(0);
  });
});

describe('Retry-After on every 503 of ingest', () => {
  it('is sent with a refusal while the probe sees Kafka down, and while draining', async () => {
    for (const draining of [false, true]) {
      const readiness = new FakeProbe();
      readiness.state = { ready: false, reason: 'LEADER_NOT_AVAILABLE: isr.events partition 1 has no leader', checkedAt: NOW };
      const app = createCollectorApp({
        config: { relaySecret: SECRET, readSecret: 'isr-read-secret', catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: 64 * 1024, produceTimeoutMs: 1_000 },
        topics,
        sink: { enqueue: () => Promise.resolve() },
        readiness,
        metrics: createCollectorMetrics({ defaultMetrics: false }),
        crypto,
        now: () => NOW,
        isDraining: () => draining,
        logger: createLogger('error', () => undefined),
      });
      const body = JSON.stringify(envelope([pageView('anon-aaaaaaaa')]));
      const response = await app.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body) });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });
});
