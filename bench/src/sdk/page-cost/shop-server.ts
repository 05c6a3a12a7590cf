/**
 * The storefront's own app (demo-site's `createDemoApp`) served once per
 * install, each on its own port (so each install's page has the same path,
 * and its own origin, storage and request counts). In front of it: the page
 * rewritten for the install, the install's files and remote configuration,
 * Sessionflow's collect endpoint answered as the edge does, and every other
 * POST (a peer's collector) answered 200 and counted.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { SITE_KEY } from '../page-server.js';
import type { Install } from './installs.js';
import { pageForInstall } from './page-html.js';

export interface ShopServer {
  install: Install;
  origin: string;
  /** Requests the install's script sent home (Sessionflow's collects, a peer's POSTs), by path, and the GETs of its files and configuration. */
  sent: Map<string, number>;
  fetched(): number;
  /** Requests nothing answered (a lazily loaded part this server does not have), by path. */
  missing: Map<string, number>;
  close(): Promise<void>;
}

const MIME: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.json': 'application/json' };

type DemoSite = typeof import('@sessionflow/demo-site');

/** The storefront's build, loaded when the page cost starts: a missing build says so there, and leaves the other suites alone. */
async function demoSite(): Promise<DemoSite> {
  try {
    return await import('@sessionflow/demo-site');
  } catch (error) {
    throw new Error(`the page cost loads the storefront's page from @sessionflow/demo-site's build, which did not load (${(error as Error).message}): run \`npm run build -w demo-site\` first`);
  }
}

function shopApp({ createDemoApp, PUBLIC_DIR }: DemoSite, install: Install, sdkFile: string, origin: string, counts: { sent: Map<string, number>; fetched: number; missing: Map<string, number> }): Hono {
  const shop = createDemoApp({ edgeUrl: origin, siteKey: SITE_KEY, sdkFile, publicDir: PUBLIC_DIR });
  const config = install.config(origin);
  const app = new Hono();

  const count = (p: string) => counts.sent.set(p, (counts.sent.get(p) ?? 0) + 1);
  app.post('/v1/collect', async (c) => {
    count(c.req.path);
    const body = (await c.req.json().catch(() => ({}))) as { events?: unknown };
    const accepted = Array.isArray(body.events) ? body.events.length : 0;
    return c.json({ accepted, rejected: [], actions: [] });
  });
  app.post('*', (c) => {
    count(c.req.path);
    return c.json({});
  });
  app.get('*', async (c, next) => {
    const urlPath = c.req.path;
    const file = install.files.find((f) => f.urlPath === urlPath)?.file ?? fileInDirs(install, urlPath);
    if (file !== undefined) {
      counts.fetched++;
      return c.body(readFileSync(file), 200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    }
    const answer = config[urlPath] ?? config[`${urlPath}/`];
    if (answer !== undefined) {
      counts.fetched++;
      return c.json(answer);
    }
    return next();
  });
  app.all('*', async (c) => {
    const res = await shop.fetch(c.req.raw);
    if (res.status === 404) counts.missing.set(c.req.path, (counts.missing.get(c.req.path) ?? 0) + 1);
    if (!(res.headers.get('content-type') ?? '').startsWith('text/html') || res.status !== 200) return res;
    const html = pageForInstall(await res.text(), c.req.path, install, origin);
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    return new Response(html, { status: 200, headers });
  });
  return app;
}

/** A file under one of the install's served folders, never outside it. */
function fileInDirs(install: Install, urlPath: string): string | undefined {
  for (const { urlPrefix, dir } of install.dirs) {
    if (!urlPath.startsWith(urlPrefix)) continue;
    const file = path.resolve(dir, `.${urlPath.slice(urlPrefix.length - 1)}`);
    if (file.startsWith(`${path.resolve(dir)}${path.sep}`) && existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

export async function startShopServer(install: Install, sdkFile: string): Promise<ShopServer> {
  const site = await demoSite();
  const counts = { sent: new Map<string, number>(), fetched: 0, missing: new Map<string, number>() };
  let app: Hono | undefined;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: (req) => app!.fetch(req), port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    s.once('error', reject);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = shopApp(site, install, sdkFile, origin, counts);
  return {
    install,
    origin,
    sent: counts.sent,
    fetched: () => counts.fetched,
    missing: counts.missing,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
