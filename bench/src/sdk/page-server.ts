/**
 * One local origin for the browser figures: the store page with and without
 * the SDK, the built script, and a stand-in for the edge's collect endpoint
 * that answers like the edge does (200 `{ accepted, rejected: [], actions: [] }`)
 * and counts what arrived. Same origin, so no CORS preflight is in the way;
 * cross-origin isolated (COOP + COEP), so performance.now() in the page has
 * Chromium's fine resolution (5 µs) instead of the coarse 100 µs.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { listenLocal } from '@sessionflow/infra';
import { storePage } from './store-page.js';

export const SITE_KEY = 'bench-site-key';

export interface PageServer {
  origin: string;
  withSdkUrl: string;
  withoutSdkUrl: string;
  /** Events received on /v1/collect, by type. */
  received: Map<string, number>;
  requests(): number;
  close(): Promise<void>;
}

const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };

export async function startPageServer(sdkScript: string): Promise<PageServer> {
  const script = readFileSync(sdkScript);
  const received = new Map<string, number>();
  let collects = 0;
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
    if (req.method !== 'GET') return res.writeHead(405).end();
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
    received,
    requests: () => collects,
    close: listening.close,
  };
}
