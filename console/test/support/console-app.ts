/** The console's app wired to the fake collector in-process (no sockets): for the unit tests. */
import { createConsoleApp } from '../../src/app.js';
import { ReadoutSampler } from '../../src/experiments/sampler.js';
import { MetricsSampler } from '../../src/health/sampler.js';
import { feedReaders } from '../../src/live/feeds.js';
import { LiveHub } from '../../src/live/hub.js';
import { collectorClient } from '../../src/upstream/collector.js';
import { ADMIN_SECRET, READ_SECRET, fakeCollectorApp, initialState, type FakeState } from './fake-collector.js';

export function consoleOverFake(state: FakeState = initialState(), opts: { pollMs?: number } = {}) {
  const fake = fakeCollectorApp(state);
  const fetchFake = ((input: string | URL | Request, init?: RequestInit) => fake.request(String(input), init)) as typeof fetch;
  const collector = collectorClient({ baseUrl: 'http://collector.test', readSecret: READ_SECRET, adminSecret: ADMIN_SECRET, fetch: fetchFake });
  const metrics = new MetricsSampler({ scrapeCollector: collector.metricsText, scrapePipeline: async () => (await fake.request('/pipeline/metrics')).text() });
  const readouts = new ReadoutSampler(collector, 10_000, 10);
  const hub = new LiveHub(opts.pollMs ?? 50);
  const app = createConsoleApp({ adminSecret: ADMIN_SECRET, sessionHours: 1, collector, hub, readers: feedReaders({ collector, metrics, readouts, now: Date.now }), clientScript: '/* client */' });
  return { app, state, hub, metrics };
}

/** Logs in and returns the cookie header to send. */
export async function login(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }, secret = ADMIN_SECRET): Promise<string> {
  const res = await app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
    body: new URLSearchParams({ secret, next: '/sessions' }).toString(),
  });
  const cookie = res.headers.get('set-cookie');
  if (res.status !== 303 || cookie === null) throw new Error(`login failed: ${res.status}`);
  return cookie.split(';')[0] as string;
}
