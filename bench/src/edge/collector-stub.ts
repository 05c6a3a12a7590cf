/**
 * A fast stand-in for the collector (node:http on loopback): it takes the
 * edge's relay on `POST /v1/ingest` and answers 202 `{ accepted, deadLettered: 0 }`
 * at once, with no Kafka behind it, so the edge suite measures the edge and
 * not the broker. It counts what arrived, when, and which event ids, so the
 * suite can tell the relay rate and whether every accepted event came through.
 * The first relay's signature is checked with core's `verifyRelay` (the wire
 * is the real one); the rest are not, to keep the stub's CPU for the edge.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { SIGNATURE_HEADER, verifyRelay } from '@sessionflow/core';
import { nodeHmacCrypto } from '@sessionflow/collector';
import { listenLocal } from '@sessionflow/infra';

export interface CollectorStub {
  url: string;
  /** Events received, duplicates included. */
  events(): number;
  /** Distinct event ids received. */
  distinctEvents(): number;
  /** Events received with a relay that arrived in [fromMs, toMs) (performance.now()). */
  eventsBetween(fromMs: number, toMs: number): number;
  requests(): number;
  /** The first relay's signature check, once one arrived. */
  signature(): { checked: boolean; ok: boolean; reason?: string };
  close(): Promise<void>;
}

export async function startCollectorStub(secret: string): Promise<CollectorStub> {
  const key = new TextEncoder().encode(secret);
  const hmac = nodeHmacCrypto();
  const arrivals: Array<{ at: number; events: number }> = [];
  const ids = new Set<string>();
  let total = 0;
  let signature: { checked: boolean; ok: boolean; reason?: string } = { checked: false, ok: false };

  const ingest = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    if (!signature.checked) {
      signature = { checked: true, ok: false };
      const check = await verifyRelay(hmac, key, body, String(req.headers[SIGNATURE_HEADER] ?? ''), Date.now());
      signature = check.ok ? { checked: true, ok: true } : { checked: true, ok: false, reason: check.reason };
    }
    let events: Array<{ eventId?: unknown }>;
    try {
      const envelope = JSON.parse(body.toString('utf8')) as { events?: unknown };
      if (!Array.isArray(envelope.events)) throw new Error('no events array');
      events = envelope.events as Array<{ eventId?: unknown }>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_envelope","message":"body is not a relay envelope"}');
      return;
    }
    arrivals.push({ at: performance.now(), events: events.length });
    total += events.length;
    for (const e of events) ids.add(String(e.eventId));
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: events.length, deadLettered: 0 }));
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/ingest') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found","message":"only POST /v1/ingest"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      ingest(req, res, Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  const listening = await listenLocal(server);

  return {
    url: listening.origin,
    events: () => total,
    distinctEvents: () => ids.size,
    eventsBetween: (fromMs, toMs) => arrivals.reduce((sum, a) => (a.at >= fromMs && a.at < toMs ? sum + a.events : sum), 0),
    requests: () => arrivals.length,
    signature: () => signature,
    close: listening.close,
  };
}
