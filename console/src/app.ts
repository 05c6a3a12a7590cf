/**
 * The console's hono app: login and its guard, the pages, their live feeds, the People reads and
 * erasure, and the static assets (the bundled client script, its stylesheet, uPlot's).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { addLogin } from './auth/routes.js';
import { addLiveRoute } from './live/route.js';
import type { FeedReaders } from './live/feeds.js';
import type { LiveHub } from './live/hub.js';
import { experimentsBody, healthBody, nowBody, peopleBody, rulesBody, sessionBody, sessionsBody } from './pages/bodies.js';
import { shell } from './pages/layout.js';
import { CONSOLE_CSS } from './pages/style.js';
import { addPeopleRoutes } from './people/routes.js';
import type { CollectorClient } from './upstream/collector.js';

export interface ConsoleAppDeps {
  adminSecret: string;
  sessionHours: number;
  collector: CollectorClient;
  hub: LiveHub;
  readers: FeedReaders;
  /** The bundled client script; read from dist/public/console.js when not given. */
  clientScript?: string;
  now?: () => number;
}

const require = createRequire(import.meta.url);

function bundledClient(): string {
  try {
    return readFileSync(new URL('./public/console.js', import.meta.url), 'utf8');
  } catch {
    // Running from src (unit tests) before a build: pages still render, without their script.
    return 'console.error("the console client script is not built: run npm run build -w console");';
  }
}

export function createConsoleApp(deps: ConsoleAppDeps): Hono {
  const app = new Hono();
  const clientScript = deps.clientScript ?? bundledClient();
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // uPlot positions its legend and cursor with style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    }),
  );
  app.use('*', csrf());
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  const asset = (type: string, body: string) => (c: { body: (b: string, s: 200, h: Record<string, string>) => Response }) =>
    c.body(body, 200, { 'content-type': type, 'cache-control': 'no-cache' });
  app.get('/assets/console.js', asset('text/javascript; charset=utf-8', clientScript));
  app.get('/assets/console.css', asset('text/css; charset=utf-8', CONSOLE_CSS));
  app.get('/assets/uplot.css', asset('text/css; charset=utf-8', uplotCss));

  addLogin(app, { adminSecret: deps.adminSecret, sessionHours: deps.sessionHours, ...(deps.now ? { now: deps.now } : {}) });

  app.get('/', (c) => c.html(shell({ page: 'now', title: 'Now', body: nowBody() })));
  app.get('/sessions', (c) => c.html(shell({ page: 'sessions', title: 'Live sessions', body: sessionsBody() })));
  app.get('/sessions/:sessionId', (c) =>
    c.html(shell({ page: 'session', title: 'Session', data: { 'session-id': c.req.param('sessionId') }, body: sessionBody() })),
  );
  app.get('/experiments', (c) => c.html(shell({ page: 'experiments', title: 'Experiments', body: experimentsBody() })));
  app.get('/rules', (c) => c.html(shell({ page: 'rules', title: 'Rules', body: rulesBody() })));
  app.get('/health', (c) => c.html(shell({ page: 'health', title: 'Health', body: healthBody() })));
  app.get('/people', (c) => {
    const kind = c.req.query('kind') === 'device' ? 'device' : 'user';
    const id = (c.req.query('id') ?? '').slice(0, 256);
    return c.html(shell({ page: 'people', title: 'People', data: { kind, id }, body: peopleBody(kind, id) }));
  });

  // Whether this browser is logged in (the guard answers 401 before this when it is not).
  app.get('/api/login', (c) => c.json({ loggedIn: true }));
  addLiveRoute(app, deps.hub, deps.readers);
  addPeopleRoutes(app, deps.collector);
  app.notFound((c) => c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
