import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveHub } from '../../src/live/hub.js';
import type { HealthFeed, SessionFeed, SessionsFeed } from '../../src/shared/feeds.js';
import { consoleOverFake, login } from '../support/console-app.js';
import { session } from '../support/fake-collector.js';

/** Reads `picture` events off an SSE response until `enough` says stop. */
async function pictures<T>(res: Response, enough: (seen: T[]) => boolean, onEach?: (p: T, seen: T[]) => void): Promise<T[]> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const seen: T[] = [];
  let buffer = '';
  while (!enough(seen)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (block.includes('event: picture') && data) {
        const p = JSON.parse(data.slice(6)) as T;
        seen.push(p);
        onEach?.(p, seen);
      }
    }
  }
  await reader.cancel();
  return seen;
}

describe('the live stream', () => {
  it('sends the open sessions as the collector answers them, then the change when a visitor clicks', async () => {
    const { app, state, hub } = consoleOverFake();
    const cookie = await login(app);
    const res = await app.request('/live?feed=sessions', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const seen = await pictures<SessionsFeed>(
      res,
      (s) => s.length >= 2,
      (p, s) => {
        if (s.length === 1) {
          // The visitor clicks: a new decision for s-alpha.
          const alpha = state.sessions[0]!;
          state.sessions[0] = { ...alpha, lastActivityAt: Date.now(), decisions: [...alpha.decisions, { id: 'd-new', at: Date.now(), ruleId: 'welcome-banner', actionId: 'a-new', kind: 'banner' }] };
        }
        void p;
      },
    );
    expect(seen[0]!.open).toBe(2);
    expect(seen[0]!.visitors).toBe(2);
    expect(seen[0]!.sessions.map((s) => s.sessionId).sort()).toEqual(['s-alpha', 's-beta']);
    expect(seen[0]!.problems).toEqual([]);
    const alpha = seen[1]!.sessions.find((s) => s.sessionId === 's-alpha')!;
    expect(alpha.decisions.map((d) => d.id)).toEqual(['d1-s-alpha', 'd-new']);
    // The stream was closed: nobody watches, nothing is polled.
    await vi.waitFor(() => expect(hub.watchedFeeds()).toEqual([]));
  });

  it('follows one session, and says so when the collector no longer knows it', async () => {
    const { app, state } = consoleOverFake();
    const cookie = await login(app);
    const res = await app.request('/live?feed=session&id=s-alpha', { headers: { cookie } });
    const seen = await pictures<SessionFeed>(
      res,
      (s) => s.length >= 2,
      (_p, s) => {
        if (s.length === 1) state.sessions = state.sessions.filter((x) => x.sessionId !== 's-alpha');
      },
    );
    expect(seen[0]!.session?.signals.cartAbandonmentRisk).toBe(0.81);
    expect(seen[1]!.session).toBeNull();
    expect(seen[1]!.problems).toEqual([]);
  });

  it('reads the collector with the read secret only, and shows what failed as a problem', async () => {
    const { app, state } = consoleOverFake();
    const cookie = await login(app);
    state.sessions = [session('s-gamma')];
    const [first] = await pictures<SessionsFeed>(await app.request('/live?feed=sessions', { headers: { cookie } }), (s) => s.length >= 1);
    expect(first!.sessions[0]!.sessionId).toBe('s-gamma');
    const reads = state.requests.filter((r) => r.path.startsWith('/v1/sessions'));
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads.map((r) => r.authorization))).toEqual(new Set(['Bearer fake-read-secret-0123456789abcdef0123456789']));

    state.down = ['/v1/sessions'];
    const [failed] = await pictures<SessionsFeed>(await app.request('/live?feed=sessions', { headers: { cookie } }), (s) => s.length >= 1);
    expect(failed!.open).toBeNull();
    expect(failed!.problems).toHaveLength(1);
    expect(failed!.problems[0]).toContain('GET /v1/sessions/open answered 503 read_store_unavailable');
  });

  it("shows each part's level from its gauge with the reason GET /v1/degradation gives, and a silent pipeline as the collector counts it", async () => {
    const { app, state, metrics } = consoleOverFake();
    const cookie = await login(app);
    state.degradation = { edge: 'live_only', collector: { level: 'data_only', reason: 'pending_bytes' }, pipeline: { level: 'popularity', reason: 'lag_s', lagS: 7 } };
    await metrics.sample();
    const [first] = await pictures<HealthFeed>(await app.request('/live?feed=health', { headers: { cookie } }), (s) => s.length >= 1);
    expect(first!.degradation).toEqual({ edge: { level: 'live_only' }, collector: { level: 'data_only', reason: 'pending_bytes' }, pipeline: { level: 'popularity', reason: 'lag_s' } });
    const reads = state.requests.filter((r) => r.path === '/v1/degradation');
    expect(new Set(reads.map((r) => r.authorization))).toEqual(new Set(['Bearer fake-read-secret-0123456789abcdef0123456789']));

    // The pipeline stops reporting: its gauge is gone, the collector counts it silent.
    state.degradation = { edge: null, collector: { level: 'full' }, pipeline: { level: 'popularity', reason: 'pipeline_silent' } };
    await metrics.sample();
    const [silent] = await pictures<HealthFeed>(await app.request('/live?feed=health', { headers: { cookie } }), (s) => s.length >= 1);
    expect(silent!.degradation).toEqual({ edge: null, collector: { level: 'full' }, pipeline: { level: 'popularity', reason: 'pipeline_silent' } });

    // A collector that cannot answer: the gauges' levels alone, and the failure said.
    state.down = ['/v1/degradation'];
    const [failed] = await pictures<HealthFeed>(await app.request('/live?feed=health', { headers: { cookie } }), (s) => s.length >= 1);
    expect(failed!.degradation.collector).toEqual({ level: 'full' });
    expect(failed!.problems.some((p) => p.startsWith('degradation: GET /v1/degradation answered 503'))).toBe(true);
  });

  it('names the feed when it is unknown, and the id when a followed session has none', async () => {
    const { app } = consoleOverFake();
    const cookie = await login(app);
    const bad = await app.request('/live?feed=everything', { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'feed' });
    const noId = await app.request('/live?feed=session', { headers: { cookie } });
    expect(noId.status).toBe(400);
    expect(await noId.json()).toMatchObject({ field: 'id' });
  });
});

describe('LiveHub', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads a feed only while watched, shares one read among watchers, and passes on a picture only when it changed', async () => {
    vi.useFakeTimers();
    const hub = new LiveHub(1000);
    let value = 1;
    let reads = 0;
    const read = async () => {
      reads += 1;
      return { at: reads, value };
    };
    const a: unknown[] = [];
    const b: unknown[] = [];
    const stopA = hub.watch('f', read, (p) => a.push(p));
    await vi.advanceTimersByTimeAsync(0);
    const stopB = hub.watch('f', read, (p) => b.push(p));
    expect(b).toHaveLength(1); // the current picture at once
    await vi.advanceTimersByTimeAsync(3000);
    expect(reads).toBe(4); // one read per interval, not one per watcher
    expect(a).toHaveLength(1); // only `at` changed: not a change
    value = 2;
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.map((p) => (p as { value: number }).value)).toEqual([1, 2]);
    expect(b.map((p) => (p as { value: number }).value)).toEqual([1, 2]);
    stopA();
    stopB();
    const before = reads;
    await vi.advanceTimersByTimeAsync(5000);
    expect(reads).toBe(before);
    expect(hub.watchedFeeds()).toEqual([]);
  });
});
