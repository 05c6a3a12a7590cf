import { describe, expect, it } from 'vitest';
import { BatcherClosedError, groupByTopic, ProduceBatcher, QueueFullError, type SendBatch, type TopicMessages } from '../src/ingest/batcher.js';
import type { OutboundRecord } from '../src/ingest/sink.js';

/** A Kafka stand-in whose sends stay in flight until the test acknowledges or fails them. */
class FakeKafka {
  readonly sends: { topicMessages: TopicMessages[]; ack: () => void; fail: (error: Error) => void }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  readonly send: SendBatch = (topicMessages) =>
    new Promise((resolve, reject) => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const done = () => this.inFlight--;
      this.sends.push({
        topicMessages,
        ack: () => {
          done();
          resolve(undefined);
        },
        fail: (error) => {
          done();
          reject(error);
        },
      });
    });

  /** Acknowledges sends as they come, until `stop` is called. */
  autoAck(): { stop: () => void } {
    let running = true;
    const loop = () => {
      if (!running) return;
      for (const send of this.sends) if (!acked.has(send)) (acked.add(send), send.ack());
      setImmediate(loop);
    };
    const acked = new Set<(typeof this.sends)[number]>();
    loop();
    return { stop: () => (running = false) };
  }

  records(): OutboundRecord[] {
    return this.sends.flatMap((s) => s.topicMessages.flatMap((t) => t.messages.map((m) => ({ topic: t.topic, key: m.key, value: m.value }))));
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function record(key: string, value: string, topic = 'sf.events'): OutboundRecord {
  return { topic, key, value };
}

/** Tracks whether a promise settled, without awaiting it. */
function track(promise: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const status: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  promise.then(
    () => (status.state = 'resolved'),
    (error: unknown) => {
      status.state = 'rejected';
      status.error = error;
    },
  );
  return status;
}

describe('ProduceBatcher', () => {
  it('sends records enqueued in the same turn together', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send);
    const results = Array.from({ length: 10 }, (_, i) => track(batcher.enqueue([record(`k${i}`, `v${i}`)])));
    await tick();
    expect(kafka.sends).toHaveLength(1);
    expect(kafka.records()).toHaveLength(10);
    expect(results.every((r) => r.state === 'pending')).toBe(true);
    kafka.sends[0]?.ack();
    await tick();
    expect(results.every((r) => r.state === 'resolved')).toBe(true);
  });

  it('coalesces what arrives while a send is in flight into the next single send', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send);
    const first = track(batcher.enqueue([record('a', 'first')]));
    await tick();
    expect(kafka.sends).toHaveLength(1);

    const later = [];
    for (let i = 0; i < 25; i++) {
      later.push(track(batcher.enqueue([record(`k${i}`, `x${i}`), record(`k${i}`, `y${i}`)])));
      await tick();
    }
    expect(kafka.sends).toHaveLength(1); // nothing else went out while the first send was in flight

    kafka.sends[0]?.ack();
    await tick();
    expect(first.state).toBe('resolved');
    expect(kafka.sends).toHaveLength(2);
    expect(kafka.sends[1]?.topicMessages[0]?.messages).toHaveLength(50);
    expect(later.every((r) => r.state === 'pending')).toBe(true); // not before their own send is acknowledged

    kafka.sends[1]?.ack();
    await tick();
    expect(later.every((r) => r.state === 'resolved')).toBe(true);
  });

  it('keeps the order of records with the same key across requests and sends, one send in flight at a time', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send, { maxBatchRecords: 3 });
    const auto = kafka.autoAck();
    const expected: string[] = [];
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      const key = i % 3 === 0 ? 'visitor-a' : 'visitor-b';
      const records = [record(key, `${key}#${i}.0`), record(key, `${key}#${i}.1`)];
      if (key === 'visitor-a') expected.push(...records.map((r) => r.value));
      pending.push(batcher.enqueue(records));
      if (i % 7 === 0) await tick();
    }
    await Promise.all(pending);
    auto.stop();
    const sentForA = kafka.records().filter((r) => r.key === 'visitor-a').map((r) => r.value);
    expect(sentForA).toEqual(expected);
    expect(kafka.maxInFlight).toBe(1);
    expect(kafka.sends.length).toBeGreaterThan(1);
  });

  it('rejects the requests of a failed send and still sends the ones after it', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send);
    const doomed = [track(batcher.enqueue([record('a', '1')])), track(batcher.enqueue([record('b', '2')]))];
    await tick();
    const next = track(batcher.enqueue([record('a', '3')]));
    const failure = new Error('NOT_ENOUGH_REPLICAS');
    kafka.sends[0]?.fail(failure);
    await tick();
    expect(doomed.map((r) => r.state)).toEqual(['rejected', 'rejected']);
    expect(doomed[0]?.error).toBe(failure);
    expect(kafka.sends).toHaveLength(2);
    kafka.sends[1]?.ack();
    await tick();
    expect(next.state).toBe('resolved');
  });

  it('splits at the byte limit without splitting a request, and sends an oversized request alone', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send, { maxBatchBytes: 100 });
    const auto = kafka.autoAck();
    await Promise.all([
      batcher.enqueue([record('a', 'x'.repeat(39)), record('a', 'x'.repeat(39))]), // 80 bytes
      batcher.enqueue([record('b', 'y'.repeat(39))]), // 40 bytes: would pass 100
      batcher.enqueue([record('c', 'z'.repeat(299))]), // 300 bytes: alone
    ]);
    auto.stop();
    const sizes = kafka.sends.map((s) => s.topicMessages.flatMap((t) => t.messages).length);
    expect(sizes).toEqual([2, 1, 1]);
  });

  it('splits a request larger than a send over consecutive sends, and answers after the last', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send, { maxBatchBytes: 100 });
    const big = track(batcher.enqueue(['1', '2', '3', '4', '5'].map((n) => record('a', n.repeat(39))))); // 5 x 40 bytes
    const after = track(batcher.enqueue([record('a', 'after')]));
    await tick();
    kafka.sends[0]?.ack();
    await tick();
    kafka.sends[1]?.ack();
    await tick();
    expect(big.state).toBe('pending');
    kafka.sends[2]?.ack();
    await tick();
    expect(big.state).toBe('resolved');
    expect(after.state).toBe('resolved'); // it filled the last send of the big one
    expect(kafka.sends.map((s) => s.topicMessages[0]?.messages.map((m) => m.value[0]))).toEqual([['1', '2'], ['3', '4'], ['5', 'a']]);
  });

  it('fails a split request at its first failed send and does not send the rest of it', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send, { maxBatchBytes: 100 });
    const big = track(batcher.enqueue(['1', '2', '3', '4', '5'].map((n) => record('a', n.repeat(39)))));
    const other = track(batcher.enqueue([record('b', 'other')]));
    await tick();
    kafka.sends[0]?.fail(new Error('boom'));
    await tick();
    expect(big.state).toBe('rejected');
    expect(kafka.sends).toHaveLength(2);
    expect(kafka.sends[1]?.topicMessages[0]?.messages.map((m) => m.value)).toEqual(['other']);
    expect(batcher.queued).toEqual({ records: 0, bytes: 0 });
    kafka.sends[1]?.ack();
    await tick();
    expect(other.state).toBe('resolved');
  });

  it('refuses new records with QueueFullError when too much is waiting', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send, { maxPendingBytes: 100 });
    void batcher.enqueue([record('a', 'x'.repeat(9))]);
    await tick(); // in flight now; what follows waits
    void batcher.enqueue([record('a', 'x'.repeat(79))]);
    await expect(batcher.enqueue([record('a', 'x'.repeat(39))])).rejects.toBeInstanceOf(QueueFullError);
    expect(batcher.queued).toEqual({ records: 1, bytes: 80 });
    expect(batcher.pendingBytes).toBe(90);
  });

  it('counts the bytes in flight to Kafka against the bound, and takes nothing of a refused request', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send, { maxPendingBytes: 100 });
    const first = track(batcher.enqueue([record('a', 'x'.repeat(89))]));
    await tick();
    expect(kafka.sends).toHaveLength(1); // 90 bytes in flight, nothing waiting
    expect(batcher.queued).toEqual({ records: 0, bytes: 0 });
    expect(batcher.pendingBytes).toBe(90);
    await expect(batcher.enqueue([record('b', 'y'.repeat(9)), record('b', 'z'.repeat(9))])).rejects.toThrow('COLLECTOR_MAX_PENDING_BYTES');
    // What fits still goes, and nothing of the refused request ever reaches Kafka.
    const fits = track(batcher.enqueue([record('c', 'w'.repeat(9))]));
    kafka.sends[0]?.ack();
    await tick();
    expect(first.state).toBe('resolved');
    expect(batcher.pendingBytes).toBe(10);
    kafka.sends[1]?.ack();
    await tick();
    expect(fits.state).toBe('resolved');
    expect(batcher.pendingBytes).toBe(0);
    expect(kafka.sends.flatMap((s) => s.topicMessages.flatMap((t) => t.messages.map((m) => m.key)))).toEqual(['a', 'c']);
  });

  it('takes a request larger than the bound when nothing else waits or flies', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send, { maxPendingBytes: 10 });
    const alone = track(batcher.enqueue([record('a', 'x'.repeat(50))]));
    await tick();
    kafka.sends[0]?.ack();
    await tick();
    expect(alone.state).toBe('resolved');
  });

  it('withdraws a waiting request when its signal aborts', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send);
    void batcher.enqueue([record('a', 'in flight')]);
    await tick();
    const abort = new AbortController();
    const withdrawn = batcher.enqueue([record('b', 'withdrawn')], abort.signal);
    const kept = track(batcher.enqueue([record('c', 'kept')]));
    const reason = new Error('timed out');
    abort.abort(reason);
    await expect(withdrawn).rejects.toBe(reason);
    kafka.sends[0]?.ack();
    await tick();
    expect(kafka.records().map((r) => r.value)).toEqual(['in flight', 'kept']);
    kafka.sends[1]?.ack();
    await tick();
    expect(kept.state).toBe('resolved');
  });

  it('on close, sends what waits without lingering, waits for it, and refuses more', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send, { lingerMs: 60_000 });
    const waiting = track(batcher.enqueue([record('a', '1'), record('b', '2')]));
    await tick();
    expect(kafka.sends).toHaveLength(0); // still lingering

    const closed = track(batcher.close());
    await tick();
    expect(kafka.sends).toHaveLength(1);
    expect(closed.state).toBe('pending');
    await expect(batcher.enqueue([record('c', '3')])).rejects.toBeInstanceOf(BatcherClosedError);

    kafka.sends[0]?.ack();
    await tick();
    expect(waiting.state).toBe('resolved');
    expect(closed.state).toBe('resolved');
  });

  it('on close, also waits for the send in flight and the one queued behind it', async () => {
    const kafka = new FakeKafka();
    const batcher = new ProduceBatcher(kafka.send);
    void batcher.enqueue([record('a', '1')]);
    await tick();
    void batcher.enqueue([record('a', '2')]);
    const closed = track(batcher.close());
    kafka.sends[0]?.ack();
    await tick();
    expect(closed.state).toBe('pending');
    expect(kafka.sends).toHaveLength(2);
    kafka.sends[1]?.ack();
    await tick();
    expect(closed.state).toBe('resolved');
  });
});

describe('groupByTopic', () => {
  it('puts each topic once, keeping the order of its records', () => {
    const grouped = groupByTopic([
      { unit: { records: [record('x', 'not this one'), record('a', '1'), record('a', 'bad', 'sf.events.dlq'), record('b', '2')] }, start: 1, end: 4 },
      { unit: { records: [record('a', '3'), record('a', 'nor this one')] }, start: 0, end: 1 },
    ]);
    expect(grouped.map((g) => [g.topic, g.messages.map((m) => m.value)])).toEqual([
      ['sf.events', ['1', '2', '3']],
      ['sf.events.dlq', ['bad']],
    ]);
  });
});
