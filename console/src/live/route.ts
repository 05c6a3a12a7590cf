/**
 * `GET /live?feed=<name>[&id=<sessionId>]`: the page's feed as server-sent events. Each `picture`
 * event carries the whole current picture as JSON; a comment line every 15 s keeps proxies from
 * closing a quiet stream. Behind the login like everything else (auth/routes.ts).
 */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { FEEDS, type FeedName } from '../shared/feeds.js';
import type { FeedReaders } from './feeds.js';
import type { LiveHub } from './hub.js';

const KEEPALIVE_MS = 15_000;

export function addLiveRoute(app: Hono, hub: LiveHub, readers: FeedReaders): void {
  app.get('/live', (c) => {
    const feed = c.req.query('feed') ?? '';
    if (!(FEEDS as readonly string[]).includes(feed)) return c.json({ error: 'invalid_query', message: `feed: must be one of ${FEEDS.join(', ')}`, field: 'feed' }, 400);
    const id = c.req.query('id') ?? '';
    if (feed === 'session' && (id.length < 1 || id.length > 256)) return c.json({ error: 'invalid_query', message: 'id: the session id is required (1 to 256 characters)', field: 'id' }, 400);
    const name = feed as FeedName;
    const key = name === 'session' ? `session:${id}` : name;
    const read = name === 'session' ? () => readers.session(id) : readers[name];
    return streamSSE(c, async (stream) => {
      let sequence = 0;
      const queue: unknown[] = [];
      let wake: (() => void) | undefined;
      const unwatch = hub.watch(key, read, (picture) => {
        queue.push(picture);
        wake?.();
      });
      let open = true;
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      try {
        while (open) {
          while (queue.length > 0 && open) await stream.writeSSE({ event: 'picture', id: String(++sequence), data: JSON.stringify(queue.shift()) });
          if (!open) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            const t = setTimeout(resolve, KEEPALIVE_MS);
            t.unref();
          });
          wake = undefined;
          if (open && queue.length === 0) await stream.write(': keep-alive\n\n');
        }
      } finally {
        unwatch();
      }
    });
  });
}
