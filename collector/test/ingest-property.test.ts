/**
 * `POST /v1/ingest` under arbitrary input (fast-check, through app.request()
 * with a fake sink): arbitrary bytes, arbitrary JSON, arbitrary headers and
 * sizes, signed or not. Never a 500 and never a crash; every refusal is a JSON
 * error; valid events beside invalid ones are kept and the invalid ones go to
 * the DLQ naming what is wrong; and a normal request after each case succeeds.
 *
 * A failure prints fast-check's seed and path; `FC_SEED=<seed>` runs the same
 * cases again.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeEventRecord, SIGNATURE_HEADER, signRelay, topicNames } from '@sessionflow/core';
import { createCollectorApp } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { createCollectorMetrics } from '../src/metrics.js';
import { ADMIN_SECRET, CATALOG_SECRET, crypto, envelope, FakeProbe, FakeSink, NOW, pageView, SECRET, signedHeaders } from './fakes.js';

const topics = topicNames('prop');
const LIMIT = 8 * 1024;
const READ_SECRET = 'property-read-secret';
const RUNS = 2_000;
const seed = process.env['FC_SEED'] === undefined ? {} : { seed: Number(process.env['FC_SEED']) };
const params = { numRuns: RUNS, ...seed };
/** A bound on a run of a few thousand cases on a busy machine, not a speed requirement. */
const TIMEOUT_MS = 300_000;

function setup() {
  const sink = new FakeSink();
  const metrics = createCollectorMetrics({ defaultMetrics: false });
  const app = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: READ_SECRET, catalogSecret: CATALOG_SECRET, adminSecret: ADMIN_SECRET, bodyLimitBytes: LIMIT, produceTimeoutMs: 5_000 },
    topics,
    sink,
    readiness: new FakeProbe(),
    metrics,
    crypto,
    now: () => NOW,
    logger: createLogger('error', () => undefined),
  });
  return { app, sink };
}

type App = ReturnType<typeof setup>['app'];

/** One ordinary relayed batch: must be taken whatever came before. */
async function expectNormalRequestTaken(app: App, sink: FakeSink): Promise<void> {
  const before = sink.records.length;
  const body = JSON.stringify(envelope([pageView('anon-normal-1')]));
  const response = await app.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body) });
  expect(response.status).toBe(202);
  expect(await response.json()).toEqual({ accepted: 1, deadLettered: 0 });
  expect(sink.records.length).toBe(before + 1);
}

/** Every answer that is not 202 is a JSON error naming its kind. */
async function expectJsonError(response: Response): Promise<void> {
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await response.json()) as { error?: unknown; message?: unknown };
  expect(typeof body.error).toBe('string');
  expect(typeof body.message).toBe('string');
}

// Header names and values a Request can carry: tokens, and visible ASCII with inner spaces.
const headerName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}$/).filter((n) => !['content-length', 'transfer-encoding', 'host', 'connection'].includes(n.toLowerCase()));
const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,60}[\x21-\x7e])?$/);
const otherHeaders = fc.dictionary(headerName, headerValue, { maxKeys: 6 });

/** How the body is signed: not at all, garbage, with the relay secret (now or stale), or with another scope's secret. */
const signing = fc.constantFrom('none', 'garbage', 'relay', 'stale', 'read', 'admin');

async function signatureFor(kind: string, body: Uint8Array, garbage: string): Promise<Record<string, string>> {
  const sign = (secret: string, at = NOW) => signRelay(crypto, new TextEncoder().encode(secret), body, at);
  switch (kind) {
    case 'garbage':
      return { [SIGNATURE_HEADER]: garbage };
    case 'relay':
      return { [SIGNATURE_HEADER]: await sign(SECRET) };
    case 'stale':
      return { [SIGNATURE_HEADER]: await sign(SECRET, NOW - 60 * 60 * 1000) };
    case 'read':
      return { [SIGNATURE_HEADER]: await sign(READ_SECRET) };
    case 'admin':
      return { [SIGNATURE_HEADER]: await sign(ADMIN_SECRET) };
    default:
      return {};
  }
}

/** What a body of this size and signature may be answered: the body limit first, then the signature, then the content. */
function allowedStatuses(kind: string, size: number): number[] {
  if (size > LIMIT) return [413];
  if (kind === 'relay') return [202, 400];
  if (kind === 'read' || kind === 'admin') return [403];
  return [401];
}

describe('POST /v1/ingest with arbitrary input', () => {
  it('answers arbitrary bytes of any size, under arbitrary headers and framing, never with a 500', async () => {
    const { app, sink } = setup();
    // What the request says of its own length: nothing, the truth, a lie, or nonsense; perhaps chunked as well.
    const framing = fc.record(
      {
        contentLength: fc.oneof(fc.constant('truth'), fc.nat({ max: 4 * LIMIT }).map(String), fc.constantFrom('-1', '1e3', 'abc', '', ' 12', '99999999999999999999')),
        chunked: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 2 * LIMIT, size: 'max' }), signing, headerValue, otherHeaders, framing, async (body, kind, garbage, headers, frame) => {
        const declared = frame.contentLength === 'truth' ? String(body.byteLength) : frame.contentLength;
        const framingHeaders = { ...(declared !== undefined ? { 'content-length': declared } : {}), ...(frame.chunked ? { 'transfer-encoding': 'chunked' } : {}) };
        const response = await app.request('/v1/ingest', { method: 'POST', body, headers: { ...headers, ...framingHeaders, ...(await signatureFor(kind, body, garbage)) } });
        // A declared length is believed only without chunking: one over the limit is refused before reading; one that is
        // no plain length may be refused as well, or read for what the body really holds.
        const believed = declared !== undefined && !frame.chunked;
        const plain = believed && /^\d+$/.test(declared);
        const allowed = plain && Number(declared) > LIMIT ? [413] : believed && !plain ? [413, ...allowedStatuses(kind, body.byteLength)] : allowedStatuses(kind, body.byteLength);
        expect(allowed).toContain(response.status);
        if (response.status !== 202) await expectJsonError(response);
        else await response.body?.cancel();
        await expectNormalRequestTaken(app, sink);
      }),
      params,
    );
  }, TIMEOUT_MS);

  it('answers arbitrary JSON, signed, with 202 or a 400 that names the field', async () => {
    const { app, sink } = setup();
    const json = fc.oneof(
      fc.jsonValue(),
      // Envelopes with arbitrary parts: closer to what gets past the first checks.
      fc.record({ relayVersion: fc.oneof(fc.constant(1), fc.jsonValue()), siteKey: fc.oneof(fc.string(), fc.jsonValue()), receivedAt: fc.oneof(fc.integer(), fc.jsonValue()), events: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 5 }), fc.jsonValue()) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(json, async (value) => {
        const body = JSON.stringify(value) ?? 'null';
        const bytes = new TextEncoder().encode(body);
        const response = await app.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body) });
        expect(allowedStatuses('relay', bytes.byteLength)).toContain(response.status);
        if (response.status === 400) {
          const error = (await response.json()) as { error: string; field?: string };
          expect(['invalid_envelope', 'invalid_json']).toContain(error.error);
          if (error.error === 'invalid_envelope') expect(typeof error.field).toBe('string');
        } else if (response.status === 202) {
          const answer = (await response.json()) as { accepted: number; deadLettered: number };
          expect(answer.accepted + answer.deadLettered).toBe((value as { events: unknown[] }).events.length);
        } else {
          await expectJsonError(response);
        }
        await expectNormalRequestTaken(app, sink);
      }),
      params,
    );
  }, TIMEOUT_MS);

  it('keeps every valid event beside invalid ones, and dead-letters each invalid one naming what is wrong', async () => {
    const { app, sink } = setup();
    const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{8,40}$/);
    const url = fc.tuple(fc.constantFrom('http', 'https', 'HTTPS'), fc.stringMatching(/^[a-z0-9/_-]{0,80}$/), fc.stringMatching(/^[a-z0-9=&%]{0,40}$/)).map(([scheme, path, query]) => `${scheme}://shop.example/${path}?${query}`);
    const valid = fc.record({ eventId: id, anonymousId: id, url }).map(({ eventId, anonymousId, url }) => ({
      ...pageView(anonymousId, { eventId, page: { url, referrer: '' } }),
    }));
    // Invalid for sure: not an object with an eventId, or a valid event with one field broken (the field the DLQ must name).
    const notAnEvent = fc.jsonValue().filter((v) => v === null || typeof v !== 'object' || Array.isArray(v) || typeof (v as Record<string, unknown>)['eventId'] !== 'string');
    const broken = fc
      .tuple(valid, fc.constantFrom<[string, unknown]>(['anonymousId', 42], ['eventId', 'short'], ['timestamp', 'yesterday'], ['schemaVersion', 99], ['sessionId', 'has spaces in it'], ['userId', '']))
      .map(([event, [field, value]]) => ({ event: { ...event, [field]: value }, field }));
    const item = fc.oneof(
      valid.map((event) => ({ kind: 'valid' as const, event, field: undefined })),
      notAnEvent.map((event) => ({ kind: 'invalid' as const, event, field: undefined })),
      broken.map(({ event, field }) => ({ kind: 'invalid' as const, event, field })),
    );

    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 12 }), async (items) => {
        const body = JSON.stringify(envelope(items.map((i) => i.event)));
        fc.pre(new TextEncoder().encode(body).byteLength <= LIMIT);
        const before = sink.records.length;
        const response = await app.request('/v1/ingest', { method: 'POST', body, headers: await signedHeaders(body) });
        expect(response.status).toBe(202);
        const validOnes = items.filter((i) => i.kind === 'valid');
        const invalidOnes = items.filter((i) => i.kind === 'invalid');
        expect(await response.json()).toEqual({ accepted: validOnes.length, deadLettered: invalidOnes.length });

        const records = sink.records.slice(before);
        const kept = records.filter((r) => r.topic === topics.events).map((r) => decodeEventRecord(r.value));
        expect(kept.map((e) => e.eventId)).toEqual(validOnes.map((i) => (i.event as { eventId: string }).eventId));
        const letters = records.filter((r) => r.topic === topics.eventsDlq).map((r) => JSON.parse(r.value) as { errors: { field: string; reason: string }[]; event: unknown });
        // As the event travelled: through JSON (a -0 arrives as 0).
        expect(letters.map((l) => l.event)).toEqual(invalidOnes.map((i) => JSON.parse(JSON.stringify(i.event)) as unknown));
        letters.forEach((letter, k) => {
          expect(letter.errors.length).toBeGreaterThan(0);
          const field = invalidOnes[k]?.field;
          if (field !== undefined) expect(letter.errors.map((e) => e.field)).toContain(field);
        });
        await expectNormalRequestTaken(app, sink);
      }),
      params,
    );
  }, TIMEOUT_MS);
});
