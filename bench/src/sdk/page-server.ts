/**
 * One local origin for the browser figures: the store page with and without
 * the SDK, and with each peer in our tag's place (`/peer/<name>.html`), the
 * built script, the peers' files and the configuration their scripts fetch
 * (page-cost/installs.ts), a stand-in for the edge's collect endpoint that
 * answers like the edge does (200 `{ accepted, rejected: [], actions: [] }`)
 * and counts what arrived, and any other POST (a peer's collector) answered
 * 200 `{}` and counted. Same origin, so no CORS preflight is in the way;
 * cross-origin isolated (COOP + COEP), so performance.now() in the page has
 * Chromium's fine resolution (5 µs) instead of the coarse 100 µs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { listenLocal } from '@sessionflow/infra';
import type { PeerCapturePage } from './peer-capture.js';
import { storePage } from './store-page.js';

export const SITE_KEY = 'bench-site-key';

export interface PageServer {
  origin: string;
  withSdkUrl: string;
  withoutSdkUrl: string;
  /** The store page with each peer, by name. */
  peerUrls: Map<string, string>;
  /** Events received on /v1/collect, by type. */
  received: Map<string, number>;
  requests(): number;
  /** POSTs anywhere else (the peers' collectors) so far. */
  otherPosts(): number;
  close(): Promise<void>;
}

const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };

const MIME: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.json': 'application/json' };

/** A peer's file (by URL path, or under one of its served folders, never outside it). */
function peerFile(peer: PeerCapturePage, urlPath: string): string | undefined {
  const file = peer.install.files.find((f) => f.urlPath === urlPath)?.file;
  if (file !== undefined) return file;
  for (const { urlPrefix, dir } of peer.install.dirs) {
    if (!urlPath.startsWith(urlPrefix)) continue;
    const inDir = path.resolve(dir, `.${urlPath.slice(urlPrefix.length - 1)}`);
    if (inDir.startsWith(`${path.resolve(dir)}${path.sep}`) && existsSync(inDir) && statSync(inDir).isFile()) return inDir;
  }
  return undefined;
}

export async function startPageServer(sdkScript: string, peers: readonly PeerCapturePage[] = []): Promise<PageServer> {
  const script = readFileSync(sdkScript);
  const received = new Map<string, number>();
  let collects = 0;
  let others = 0;
  let origin = '';

  const collect = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      collects++;
      let events: Array<{ type?: unknown }> = [];
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events?: unknown };
        if (Array.isArray(body.events)) events = body.events as Array<{ type?: unknown }>;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_json","message":"body is not JSON"}');
        return;
      }
      for (const e of events) received.set(String(e.type), (received.get(String(e.type)) ?? 0) + 1);
      res
        .writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': origin, vary: 'origin' })
        .end(JSON.stringify({ accepted: events.length, rejected: [], actions: [] }));
    });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'POST' && url.pathname === '/v1/collect') return collect(req, res);
    if (req.method === 'POST') {
      others++;
      req.resume();
      return req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    }
    if (req.method !== 'GET') return res.writeHead(405).end();
    const peerPage = peers.find((p) => url.pathname === `/peer/${p.name}.html`);
    if (peerPage !== undefined) {
      const page = storePage({ withSdk: false, siteKey: SITE_KEY, endpoint: origin, head: peerPage.head(origin) });
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...isolated }).end(page);
    }
    for (const peer of peers) {
      const file = peerFile(peer, url.pathname);
      if (file !== undefined) return res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', ...isolated }).end(readFileSync(file));
      const config = peer.install.config(origin);
      const answer = config[url.pathname] ?? config[`${url.pathname}/`];
      if (answer !== undefined) return res.writeHead(200, { 'content-type': 'application/json', ...isolated }).end(JSON.stringify(answer));
    }
    if (url.pathname === '/with-sdk.html' || url.pathname === '/without-sdk.html') {
      const page = storePage({ withSdk: url.pathname === '/with-sdk.html', siteKey: SITE_KEY, endpoint: origin });
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...isolated }).end(page);
    }
    if (url.pathname === '/sdk/sessionflow.min.js') {
      return res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...isolated }).end(script);
    }
    res.writeHead(404, isolated).end();
  });
  const listening = await listenLocal(server);
  origin = listening.origin;
  return {
    origin,
    withSdkUrl: `${origin}/with-sdk.html`,
    withoutSdkUrl: `${origin}/without-sdk.html`,
    peerUrls: new Map(peers.map((p) => [p.name, `${origin}/peer/${p.name}.html`])),
    received,
    requests: () => collects,
    otherPosts: () => others,
    close: listening.close,
  };
}
