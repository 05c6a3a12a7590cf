import { describe, expect, it } from 'vitest';
import { cachedProbe } from '../src/kafka/readiness.js';

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('cachedProbe', () => {
  it('asks the cluster at most once per max age, however often it is asked', async () => {
    const time = clock();
    let pings = 0;
    const probe = cachedProbe(async () => void pings++, { maxAgeMs: 1_000, timeoutMs: 100, now: time.now });
    await probe.check();
    await probe.check();
    time.advance(999);
    await probe.check();
    expect(pings).toBe(1);
    time.advance(1);
    expect((await probe.check()).ready).toBe(true);
    expect(pings).toBe(2);
  });

  it('turns not ready when the ping fails, and ready again when it answers', async () => {
    const time = clock();
    let up = true;
    const probe = cachedProbe(
      async () => {
        if (!up) throw new Error('connect ECONNREFUSED 127.0.0.1:29092');
      },
      { maxAgeMs: 1_000, timeoutMs: 100, now: time.now },
    );
    expect((await probe.check()).ready).toBe(true);
    up = false;
    time.advance(1_000);
    const down = await probe.check();
    expect(down.ready).toBe(false);
    expect(down.reason).toContain('ECONNREFUSED');
    up = true;
    time.advance(1_000);
    expect((await probe.check()).ready).toBe(true);
  });

  it('counts a ping that does not answer within the timeout as not ready', async () => {
    const probe = cachedProbe(() => new Promise<void>(() => undefined), { maxAgeMs: 1_000, timeoutMs: 5 });
    const result = await probe.check();
    expect(result.ready).toBe(false);
    expect(result.reason).toContain('5 ms');
  });

  it('shares one ping between concurrent checks', async () => {
    let pings = 0;
    let answer: () => void = () => undefined;
    const probe = cachedProbe(
      () => {
        pings++;
        return new Promise<void>((resolve) => (answer = resolve));
      },
      { maxAgeMs: 1_000, timeoutMs: 1_000 },
    );
    const both = Promise.all([probe.check(), probe.check()]);
    answer();
    expect((await both).map((r) => r.ready)).toEqual([true, true]);
    expect(pings).toBe(1);
  });

  it('lastKnown answers without waiting and refreshes a stale answer in the background', async () => {
    const time = clock();
    let up = true;
    const probe = cachedProbe(
      async () => {
        if (!up) throw new Error('down');
      },
      { maxAgeMs: 1_000, timeoutMs: 100, now: time.now },
    );
    expect(probe.lastKnown()).toBeUndefined();
    await probe.check();
    up = false;
    time.advance(2_000);
    expect(probe.lastKnown()?.ready).toBe(true); // the stale answer, at once
    await new Promise((resolve) => setImmediate(resolve));
    expect(probe.lastKnown()?.ready).toBe(false);
  });
});
