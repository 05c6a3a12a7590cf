/**
 * The edge started by infra gets its secrets from a dotenv file in the run
 * folder (`wrangler dev --env-file`), not from its command line: the relay it
 * sends carries an HMAC made with the relay secret given, and no secret
 * appears in the process's arguments. Real workerd, a stub collector.
 */
import { randomUUID, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SCHEMA_VERSION, SIGNATURE_HEADER, verifyRelay, type HmacCrypto } from '@sessionflow/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../src/process/ports.js';
import { generateSecrets } from '../src/secrets/local-secrets.js';
import { startEdgeProcess } from '../src/services/edge.js';
import type { HttpService } from '../src/services/http-service.js';

const SITE = 'infra-test-site';
const ORIGIN = 'http://127.0.0.1:9';
const secrets = generateSecrets([SITE]);

interface Relayed {
  signature: string | undefined;
  body: Buffer;
}

let dir: string;
let edge: HttpService | undefined;
let collector: http.Server;
let collectorUrl: string;
const relayed: Relayed[] = [];
let failed = false;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sf-edge-secrets-'));
  collector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/ingest') {
        const header = req.headers[SIGNATURE_HEADER];
        relayed.push({ signature: Array.isArray(header) ? header[0] : header, body: Buffer.concat(chunks) });
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1,"deadLettered":0}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  edge = await startEdgeProcess({
    port: await freePort(),
    collectorUrl,
    secret: secrets.relay,
    readSecret: secrets.read,
    adminSecret: secrets.edgeAdmin,
    sites: { [SITE]: { origins: [ORIGIN] } },
    siteSecrets: secrets.sites,
    persistDir: path.join(dir, 'wrangler'),
    logFile: path.join(dir, 'logs', 'edge.log'),
  });
}, 120_000);

afterAll(async () => {
  await edge?.stop();
  await new Promise((resolve) => collector?.close(resolve));
  if (failed) process.stderr.write(`[edge-secrets] edge log kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
});

test('the relay is signed with the relay secret from the run folder\u2019s env file, and no secret is on the command line', async (ctx) => {
  ctx.onTestFailed(() => void (failed = true));
  const envFile = path.join(dir, 'edge.secrets.env');
  expect(statSync(envFile).mode & 0o777).toBe(0o600);
  expect(readFileSync(envFile, 'utf8')).toContain(secrets.relay);

  const visitor = randomUUID();
  const event = {
    schemaVersion: SCHEMA_VERSION,
    type: 'page_view',
    eventId: randomUUID(),
    anonymousId: visitor,
    sessionId: randomUUID(),
    timestamp: Date.now(),
    page: { url: 'https://shop.example/', pageViewId: randomUUID() },
  };
  const res = await fetch(`${edge!.url}/v1/collect?site=${SITE}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify({ events: [event], sentAt: Date.now() }),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();

  const deadline = Date.now() + 15_000;
  while (!relayed.some((r) => r.body.includes(event.eventId)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const relay = relayed.find((r) => r.body.includes(event.eventId));
  expect(relay, 'the edge relayed the event to the stub collector').toBeDefined();
  const check = (secret: string) => verifyRelay(webcrypto.subtle as unknown as HmacCrypto, new TextEncoder().encode(secret), new Uint8Array(relay!.body), relay!.signature, Date.now());
  expect(await check(secrets.relay)).toEqual({ ok: true });
  expect((await check(secrets.read)).ok).toBe(false);

  const commandLine = readFileSync(`/proc/${edge!.child.pid}/cmdline`, 'utf8');
  expect(commandLine).toContain('--env-file');
  const onTheCommandLine = Object.entries({ relay: secrets.relay, read: secrets.read, edgeAdmin: secrets.edgeAdmin, identity: secrets.sites[SITE]!.identity })
    .filter(([, value]) => commandLine.includes(value))
    .map(([scope]) => scope);
  expect(onTheCommandLine).toEqual([]);
}, 60_000);
