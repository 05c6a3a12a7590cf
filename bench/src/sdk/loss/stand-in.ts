/**
 * A small local stand-in for the edge, for the loss figures: one origin that
 * serves a page with the SDK's script tag and answers `POST /v1/collect` as
 * the edge does (200 `{ accepted, rejected: [], actions: [] }`), counting
 * every event id that arrives (duplicates included) with when it first came.
 * Beacons arrive here too (a `text/plain` POST to the same URL). `outage(true)`
 * answers every collect with 503 and no Retry-After, as a load balancer in
 * front of a dead edge does, until `outage(false)`.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { listenLocal } from '@sessionflow/infra';

export const LOSS_SITE_KEY = 'bench-loss-site-key';

export interface StandIn {
  origin: string;
  pageUrl: string;
  /** A page of the same origin without the SDK, with `window.__queuedClicks()`. */
  blankUrl: string;
  /** How many times each event id arrived in an accepted (200) request. */
  counts: Map<string, number>;
  /** Epoch ms at which each event id first arrived in an accepted request. */
  firstAt: Map<string, number>;
  /** How many click events on each product arrived (the burst's buttons each name a product of their own). */
  clicksByProduct: Map<string, number>;
  /** Collect requests answered, by status. */
  answered: Map<number, number>;
  outage(on: boolean): void;
  close(): Promise<void>;
}

/** How many product buttons the page has: a burst clicks each once. */
export const BURST_BUTTONS = 10;

/**
 * The page: the SDK's stub and async tag, `BURST_BUTTONS` product buttons
 * whose product ids start with `tag` (so each page load's clicks are told
 * apart at the stand-in without asking the page), and helpers the runs call
 * (`window.__loss`).
 */
function page(endpoint: string, tag: string): string {
  const buttons = Array.from(
    { length: BURST_BUTTONS },
    (_, i) => `<div data-sf-product="${tag}-${i}"><button type="button" style="display:block;width:120px;height:32px;margin:4px">Buy ${i}</button></div>`,
  ).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loss bench</title>
<script>!function(w){var s=w.sessionflow=w.sessionflow||{q:[]};s.q&&"init track page identify reset consent optOut on flush".split(" ").forEach(function(m){s[m]=s[m]||function(){s.q.push([m,[].slice.call(arguments)])}})}(window)</script>
<script async src="/sdk/sessionflow.min.js" data-site-key="${LOSS_SITE_KEY}" data-endpoint="${endpoint}"></script>
</head><body><main><h1>Loss bench</h1>
<section data-sf-category="bench">${buttons}</section>
</main><script>
window.__loss = {
  ready: () => typeof window.sessionflow.anonymousId === 'function' && window.sessionflow.anonymousId() !== undefined,
  track(name, props) {
    return window.sessionflow.track(name, props).eventId;
  },
  /** The centre of each product button, to click with real input. */
  buttons: () => Array.from(document.querySelectorAll('[data-sf-product] button'), (b) => {
    const r = b.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  }),
};
</script></body></html>`;
}

const BLANK_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loss bench, no SDK</title></head><body><script>
/** The product ids of the click events in the SDK's IndexedDB queue (database sessionflow, store queue), without creating it. */
window.__queuedClicks = async () => {
  if (!(await indexedDB.databases()).some((db) => db.name === 'sessionflow')) return [];
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('sessionflow');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('queue')) return db.close(), resolve([]);
      const all = db.transaction('queue').objectStore('queue').getAll();
      all.onerror = () => reject(all.error);
      all.onsuccess = () => {
        db.close();
        resolve(all.result.filter((e) => e.type === 'click' && e.product).map((e) => e.product.id));
      };
    };
  });
};
</script></body></html>`;

export async function startStandIn(sdkScript: string): Promise<StandIn> {
  const script = readFileSync(sdkScript);
  const counts = new Map<string, number>();
  const firstAt = new Map<string, number>();
  const clicksByProduct = new Map<string, number>();
  const answered = new Map<number, number>();
  let down = false;
  let origin = '';

  const collect = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        answered.set(status, (answered.get(status) ?? 0) + 1);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (down) return answer(503, { error: 'unavailable', message: 'the stand-in is in an outage' });
      let events: Array<{ eventId?: unknown; type?: unknown; product?: { id?: unknown } }>;
      try {
        events = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: typeof events }).events;
        if (!Array.isArray(events)) throw new Error('no events');
      } catch {
        return answer(400, { error: 'invalid_json', message: 'body is not a collect envelope' });
      }
      const at = Date.now();
      for (const { eventId, type, product } of events) {
        const id = String(eventId);
        counts.set(id, (counts.get(id) ?? 0) + 1);
        if (!firstAt.has(id)) firstAt.set(id, at);
        if (type === 'click' && product?.id !== undefined) clicksByProduct.set(String(product.id), (clicksByProduct.get(String(product.id)) ?? 0) + 1);
      }
      answer(200, { accepted: events.length, rejected: [], actions: [] });
    });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'POST' && url.pathname === '/v1/collect') return collect(req, res);
    if (req.method !== 'GET') return res.writeHead(405).end();
    if (url.pathname === '/page.html') {
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(origin, url.searchParams.get('tag') ?? 'p'));
    }
    // The origin without the SDK: where the bench reads what the SDK's queue kept across a kill, before the SDK sends it.
    if (url.pathname === '/blank.html') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(BLANK_PAGE);
    if (url.pathname === '/sdk/sessionflow.min.js') return res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    res.writeHead(404).end();
  });
  // Each page load opens a connection or two, and the kill runs leave many half-closed: no idle limit in the way.
  server.keepAliveTimeout = 5000;
  const listening = await listenLocal(server);
  origin = listening.origin;
  return {
    origin,
    pageUrl: `${origin}/page.html`,
    blankUrl: `${origin}/blank.html`,
    counts,
    firstAt,
    clicksByProduct,
    answered,
    outage(on) {
      down = on;
    },
    close: listening.close,
  };
}
