import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devicesOf, outboxCensus } from '../../src/flash/outboxes.js';

/** A stand-in for the edge's admin API: each device's outbox depth, a refused bearer, one object that fails. */
const depths: Record<string, number> = { 'dev-a': 0, 'dev-b': 3, 'dev-c': 1 };
const asked: string[] = [];
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    asked.push(`${u.pathname}?${u.searchParams.toString()}`);
    if (req.headers.authorization !== 'Bearer admin-secret') return void res.writeHead(401).end('{}');
    const id = decodeURIComponent(u.pathname.split('/').pop() ?? '');
    if (id === 'dev-broken') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ exists: true, state: null, outboxDepth: depths[id] ?? 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('outboxCensus', () => {
  it("asks each device's visitor object once, and counts the batches its outbox still holds", async () => {
    asked.length = 0;
    const census = await outboxCensus({ url, bearer: 'admin-secret', siteKey: 'site-1' }, ['dev-a', 'dev-b', 'dev-c', 'dev-b', 'dev-broken'], 2);
    expect(census).toMatchObject({ devices: 4, holding: 2, batches: 4, unanswered: 1 });
    expect(census.holdingDevices.sort()).toEqual(['dev-b', 'dev-c']);
    expect(census.firstFailure).toContain('dev-broken: answered 500');
    expect(census.unansweredDevices).toEqual(['dev-broken']);
    expect(asked.sort()).toEqual(['dev-a', 'dev-b', 'dev-broken', 'dev-c'].map((id) => `/v1/admin/visitors/${id}?site=site-1`));
  });

  it('counts an object that refuses the bearer as unanswered, never as empty', async () => {
    const census = await outboxCensus({ url, bearer: 'wrong', siteKey: 'site-1' }, ['dev-b']);
    expect(census).toMatchObject({ devices: 1, holding: 0, batches: 0, unanswered: 1 });
  });
});

describe('devicesOf', () => {
  it('names the devices of the ids, each once, and leaves out ids of no known device', () => {
    expect(devicesOf(['e1', 'e2', 'e3', 'e4'], new Map([['e1', 'dev-a'], ['e2', 'dev-a'], ['e3', 'dev-b']]))).toEqual(['dev-a', 'dev-b']);
  });
});
