/**
 * A stand-in collector for the Workers tests: a real HTTP server in Node (the
 * vitest globalSetup), so the Worker's relay goes over a real socket and the
 * tests inspect the exact bytes and headers it sent.
 *
 * The first path segment names a scenario, so tests running side by side keep
 * apart: `POST /<scenario>/v1/ingest` is recorded under <scenario> and answered
 * by its prefix (`ok-` 202, `fail-` 500, `hang-` never, `down-` 500 until
 * `POST /__up/<scenario>`, then 202); `POST /__busy/<scenario>` makes any
 * scenario answer 503 with `Retry-After` (as a collector over its pending
 * bytes does) until `POST /__up/<scenario>`; `GET /__received/<scenario>`
 * returns what was recorded.
 *
 * The read API too, on the collector's paths: `POST /__reads/<scenario>` sets
 * what the scenario's `GET /v1/profile/user/:userId` and
 * `/v1/profile/device/:anonymousId` (`profiles["user:<id>"]`,
 * `profiles["device:<id>"]`), `/v1/recs` (`user=` or `device=` given: that
 * one's `recsFor["user:<id>"]` / `recsFor["device:<id>"]`, else `recs`;
 * neither: `popular`; both: 400), `/v1/inventory` and `/v1/degradation`
 * (`degradation`, 404 when unset) answer (`status` instead, when set; 503
 * before any is set; each after `delayMs`, when set), and
 * `GET /__reads-log/<scenario>` lists the reads with their headers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import type { RecordedRead, RecordedRelay } from '../shared.js';

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** What one scenario's read API answers. */
interface ReadFixtures {
  status?: number;
  /** By `user:<id>` / `device:<id>`. */
  profiles?: Record<string, unknown>;
  /** A user's or a device's own list, by `user:<id>` / `device:<id>`. */
  recsFor?: Record<string, unknown>;
  recs?: unknown;
  popular?: unknown;
  inventory?: Record<string, boolean>;
  /** What `GET /v1/degradation` answers (the collector's `{ level, parts }`). */
  degradation?: unknown;
  /** How long every read waits before it is answered. */
  delayMs?: number;
}

function answerRead(res: ServerResponse, fixtures: ReadFixtures | undefined, route: string[], query: URLSearchParams): void {
  if (fixtures === undefined) return sendJson(res, 503, { error: 'read_store_unavailable', message: 'no fixtures for this scenario' });
  if (fixtures.status !== undefined) return sendJson(res, fixtures.status, { error: 'stub_status', message: `status ${fixtures.status}` });
  const [what, kind, id] = route;
  if (what === 'profile' && (kind === 'user' || kind === 'device') && id !== undefined && route.length === 3) {
    const profile = fixtures.profiles?.[`${kind}:${decodeURIComponent(id)}`];
    return profile === undefined ? sendJson(res, 404, { error: 'not_found', message: `no ${kind} profile` }) : sendJson(res, 200, profile);
  }
  if (what === 'recs' && route.length === 1) {
    const user = query.get('user');
    const device = query.get('device');
    if (user !== null && device !== null) return sendJson(res, 400, { error: 'invalid_query', message: 'user: at most one of user and device' });
    const subject = user !== null ? `user:${user}` : device !== null ? `device:${device}` : undefined;
    const recs = subject === undefined ? fixtures.popular : (fixtures.recsFor?.[subject] ?? fixtures.recs);
    return recs === undefined ? sendJson(res, 404, { error: 'not_found', message: 'no recs fixture' }) : sendJson(res, 200, recs);
  }
  if (what === 'degradation' && route.length === 1) {
    return fixtures.degradation === undefined ? sendJson(res, 404, { error: 'not_found', message: 'no degradation fixture' }) : sendJson(res, 200, fixtures.degradation);
  }
  if (what === 'inventory') {
    const ids = (query.get('ids') ?? '').split(',').filter(Boolean);
    const inStock = Object.fromEntries(ids.flatMap((pid) => (fixtures.inventory?.[pid] === undefined ? [] : [[pid, fixtures.inventory[pid]]])));
    return sendJson(res, 200, { inStock });
  }
  return sendJson(res, 404, { error: 'not_found', message: route.join('/') });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const received = new Map<string, RecordedRelay[]>();
  const up = new Set<string>();
  const busy = new Set<string>();
  const reads = new Map<string, ReadFixtures>();
  const readLog = new Map<string, RecordedRead[]>();

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const [first, ...rest] = url.pathname.split('/').filter(Boolean);
      if (req.method === 'GET' && first === '__received' && rest.length === 1) {
        return sendJson(res, 200, received.get(rest[0]!) ?? []);
      }
      if (req.method === 'POST' && first === '__up' && rest.length === 1) {
        up.add(rest[0]!);
        busy.delete(rest[0]!);
        return sendJson(res, 200, { up: rest[0] });
      }
      if (req.method === 'POST' && first === '__busy' && rest.length === 1) {
        busy.add(rest[0]!);
        return sendJson(res, 200, { busy: rest[0] });
      }
      if (req.method === 'GET' && first === '__reads-log' && rest.length === 1) {
        return sendJson(res, 200, readLog.get(rest[0]!) ?? []);
      }
      if (req.method === 'POST' && first === '__reads' && rest.length === 1) {
        reads.set(rest[0]!, JSON.parse((await readBody(req)).toString('utf8')) as ReadFixtures);
        return sendJson(res, 200, { reads: rest[0] });
      }
      if (req.method === 'GET' && first && rest[0] === 'v1') {
        const log = readLog.get(first) ?? [];
        log.push({ path: `/${rest.join('/')}`, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization ?? '' });
        readLog.set(first, log);
        const fixtures = reads.get(first);
        if (fixtures?.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fixtures.delayMs));
        return answerRead(res, fixtures, rest.slice(1), url.searchParams);
      }
      const body = await readBody(req);
      if (!first || rest.join('/') !== 'v1/ingest') return sendJson(res, 404, { error: 'not_found', message: url.pathname });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      const log = received.get(first) ?? [];
      log.push({ method: req.method ?? '', path: url.pathname, headers, bodyBase64: body.toString('base64') });
      received.set(first, log);

      if (first.startsWith('hang-')) return; // never answers; closed at teardown
      if (busy.has(first)) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        return res.end(JSON.stringify({ error: 'collector_busy', message: 'stub: over its pending bytes' }));
      }
      if (first.startsWith('fail-') || (first.startsWith('down-') && !up.has(first))) {
        return sendJson(res, 500, { error: 'kafka_unavailable', message: 'stub failure' });
      }
      const events = (JSON.parse(body.toString('utf8')) as { events: unknown[] }).events;
      return sendJson(res, 202, { accepted: events.length, deadLettered: 0 });
    })().catch((err: unknown) => sendJson(res, 500, { error: 'stub_error', message: String(err) }));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  project.provide('collectorStubUrl', `http://127.0.0.1:${port}`);
  project.provide('deadCollectorUrl', `http://127.0.0.1:${await freePort()}`);

  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
