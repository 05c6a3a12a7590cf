/**
 * A stand-in for the collector behind a real edge: it takes whatever the edge
 * relays to /v1/ingest (no signature check, no Kafka), keeps every event it got
 * with the time it came, and answers 202 like the collector. Tests of the SDK
 * read from it what really went through the edge, duplicates included.
 */
import http from 'node:http';
import { listenLocal } from '@sessionflow/infra';

/** An event as relayed: the fields tests read are typed, the rest is kept as it came. */
export interface RelayedEvent {
  eventId: string;
  type: string;
  anonymousId: string;
  sessionId: string;
  userId?: string;
  timestamp: number;
  seq?: number;
  page: { url: string; referrer?: string; title?: string; pageViewId?: string };
  [field: string]: unknown;
}

export interface Arrival {
  event: RelayedEvent;
  /** When the relay reached this server (epoch ms). */
  at: number;
  siteKey: string;
}

export interface StubCollector {
  url: string;
  /** Every event relayed so far, in arrival order, duplicates included. */
  readonly arrivals: readonly Arrival[];
  /** The events of one visitor, in arrival order. */
  eventsOf(anonymousId: string): RelayedEvent[];
  /** How many times each event id arrived. */
  countsById(): Map<string, number>;
  /** Answer every ingest with this status (e.g. 503) until set back to undefined. */
  failWith(status: number | undefined): void;
  /** Resolves with `select`'s first defined answer; fails after `timeoutMs` showing what arrived. */
  waitFor<T>(select: (arrivals: readonly Arrival[]) => T | undefined, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startStubCollector(): Promise<StubCollector> {
  const arrivals: Arrival[] = [];
  let failing: number | undefined;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/v1/ingest') return reply(404, { error: 'not_found', message: `${req.method} ${req.url}` });
      if (failing !== undefined) return reply(failing, { error: 'stub_failing', message: `the stub collector was told to answer ${failing}` });
      let envelope: { siteKey?: unknown; events?: unknown };
      try {
        envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof envelope;
      } catch {
        return reply(400, { error: 'invalid_json', message: 'relay body is not JSON' });
      }
      const events = Array.isArray(envelope.events) ? (envelope.events as RelayedEvent[]) : [];
      const at = Date.now();
      for (const event of events) arrivals.push({ event, at, siteKey: String(envelope.siteKey) });
      reply(202, { accepted: events.length, deadLettered: 0 });
    });
  });
  const { origin, close } = await listenLocal(server);

  return {
    url: origin,
    arrivals,
    eventsOf: (anonymousId) => arrivals.filter((a) => a.event.anonymousId === anonymousId).map((a) => a.event),
    countsById() {
      const counts = new Map<string, number>();
      for (const { event } of arrivals) counts.set(event.eventId, (counts.get(event.eventId) ?? 0) + 1);
      return counts;
    },
    failWith(status) {
      failing = status;
    },
    async waitFor(select, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = select(arrivals);
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          const seen = arrivals.map((a) => JSON.stringify(a.event)).join('\n');
          throw new Error(`not relayed within ${timeoutMs} ms; ${arrivals.length} events arrived:\n${seen.slice(-6000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close,
  };
}
