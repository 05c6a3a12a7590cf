/**
 * A small HTTP proxy in front of the edge that can leave one collect request
 * unanswered: the page's connection stays open with no response until the page
 * itself gives up. Everything else goes through to the edge and back as it
 * came (headers included: the page's Origin, the edge's CORS headers).
 *
 * The held request either never reaches the edge (`swallow`: an edge that
 * hangs before it takes anything) or reaches it and is processed while its
 * answer is kept from the page (`forward`: an edge, or a network, that loses
 * the answer). It records what happened to every collect request, in order.
 */
import http from 'node:http';
import { listenLocal } from '@sessionflow/infra';
import type { RelayedEvent } from './stub-collector.js';

export type HoldMode = 'swallow' | 'forward';

export interface CollectThrough {
  /** 1, 2, ... in the order the page sent them. */
  n: number;
  eventIds: string[];
  anonymousIds: string[];
  held: boolean;
  /** The status the edge answered, when the request reached it. */
  edgeStatus?: number;
  /** Whether the page got an answer. */
  answered: boolean;
  /** The page closed the connection before any answer: it gave up on the request. */
  abandoned: boolean;
}

export interface HoldProxy {
  url: string;
  /** Every collect request so far. */
  readonly requests: readonly CollectThrough[];
  /** What happened, in order: `request 1 held`, `request 1 abandoned by the page`, `request 2 answered 200`, ... */
  readonly log: readonly string[];
  /** Holds the next collect request. */
  holdNext(mode: HoldMode): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

export async function startHoldProxy(edgeUrl: string): Promise<HoldProxy> {
  const edge = new URL(edgeUrl);
  const requests: CollectThrough[] = [];
  const log: string[] = [];
  let hold: HoldMode | undefined;

  /** Sends the request on to the edge; `answer` gets the edge's response. */
  const toEdge = (req: http.IncomingMessage, body: Buffer, answer: (response: http.IncomingMessage) => void, failed: (err: Error) => void) => {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    const upstream = http.request({ hostname: edge.hostname, port: edge.port, path: req.url, method: req.method, headers: { ...headers, host: edge.host } }, answer);
    upstream.on('error', failed);
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isCollect = req.method === 'POST' && (req.url ?? '').startsWith('/v1/collect');
      let entry: CollectThrough | undefined;
      if (isCollect) {
        let events: RelayedEvent[] = [];
        try {
          events = (JSON.parse(body.toString('utf8')) as { events?: RelayedEvent[] }).events ?? [];
        } catch {
          // Not JSON: recorded with no events; the edge answers it.
        }
        entry = {
          n: requests.length + 1,
          eventIds: events.map((e) => e.eventId),
          anonymousIds: [...new Set(events.map((e) => e.anonymousId))],
          held: hold !== undefined,
          answered: false,
          abandoned: false,
        };
        requests.push(entry);
        const self = entry;
        res.on('close', () => {
          if (!res.writableFinished) {
            self.abandoned = true;
            log.push(`request ${self.n} abandoned by the page`);
          }
        });
      }
      if (entry !== undefined && hold !== undefined) {
        const mode = hold;
        hold = undefined;
        log.push(`request ${entry.n} held (${mode})`);
        if (mode === 'forward') {
          const held = entry;
          toEdge(
            req,
            body,
            (response) => {
              held.edgeStatus = response.statusCode;
              log.push(`request ${held.n} processed by the edge: ${response.statusCode}, answer kept from the page`);
              response.resume();
            },
            (err) => log.push(`request ${held.n} could not reach the edge: ${err.message}`),
          );
        }
        // No answer: the page's connection stays open until the page closes it.
        return;
      }
      toEdge(
        req,
        body,
        (response) => {
          if (entry !== undefined) {
            entry.edgeStatus = response.statusCode;
            entry.answered = true;
            log.push(`request ${entry.n} answered ${response.statusCode}`);
          }
          const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
          res.writeHead(response.statusCode ?? 502, headers);
          response.pipe(res);
        },
        (err) => {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'proxy_error', message: err.message }));
        },
      );
    });
  });
  const { origin, close } = await listenLocal(server);
  return {
    url: origin,
    requests,
    log,
    holdNext(mode) {
      hold = mode;
    },
    close,
  };
}
