/**
 * Properties of POST /v1/collect in workerd, over arbitrary bytes, arbitrary
 * JSON, arbitrary header values and sizes (fast-check, a few thousand cases
 * per run): never a 5xx, never a crash, always a JSON answer; valid events
 * beside invalid ones are kept (and reach the collector); and a normal
 * request after each property's run succeeds.
 *
 * On a failure fast-check reports the seed and the path of the shrunk case
 * ("Property failed after N tests { seed: …, path: "…" }"): put them in that
 * property's `fc.assert` options (`{ seed, path }`) to replay exactly it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALLOWED_ORIGIN, callEdge, collectRequest, EDGE, eventually, relayedEvents, SERVER_SECRET, SITE_KEY, stubCollector } from './helpers.js';
import { newVisitor, visitorEvent } from './events.js';

const collector = stubCollector('ok');
const SMALL_BODY_LIMIT = 2048;

/** Every answer is one of these, with a JSON body: nothing the edge does on bad input is a 5xx. */
const EXPECTED_STATUSES = new Set([200, 400, 401, 403, 405, 413, 415, 429]);

async function answerOf(res: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`status ${res.status}: not JSON: ${text.slice(0, 200)}`);
  }
  if (!EXPECTED_STATUSES.has(res.status)) throw new Error(`status ${res.status}: ${text.slice(0, 300)}`);
  return { status: res.status, body: body as Record<string, unknown> };
}

/** A normal batch of a fresh visitor is taken and reaches the collector. */
async function normalRequestSucceeds(): Promise<void> {
  const visitor = newVisitor();
  const event = visitorEvent(visitor, 'page_view', Date.now());
  const res = await callEdge(collectRequest(JSON.stringify({ events: [event] })), { COLLECTOR_URL: collector.url });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ accepted: 1, rejected: [] });
  await eventually(async () => relayedEvents(await collector.received()), (events) => events.some((e) => e.eventId === event['eventId']), 10_000);
}

const printable = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });
/** A header value as a browser or a script can send it: tab and printable ASCII (workerd only warns about the rest, as UTF-8). */
const headerValue = fc.string({ unit: fc.oneof(fc.constant('\t'), fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c))), maxLength: 120 });
const plainKey = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,15}$/);

/** Events valid under core's schema, of one visitor, with varied content. */
function validEvent(visitor: string): fc.Arbitrary<Record<string, unknown>> {
  const base = fc.record({ timestamp: fc.integer({ min: Date.now() - 3_600_000, max: Date.now() }), seq: fc.option(fc.nat(10_000), { nil: undefined }) });
  const body = fc.oneof(
    fc.constant({ type: 'page_view' }),
    fc.record({ type: fc.constant('scroll'), depth: fc.integer({ min: 0, max: 100 }) }),
    fc.record({ type: fc.constant('dwell'), activeMs: fc.nat(600_000) }),
    fc.record({ type: fc.constant('click'), element: fc.record({ tag: fc.constantFrom('a', 'button', 'div'), text: printable(40) }), product: fc.option(fc.record({ id: fc.stringMatching(/^sku-[0-9]{1,6}$/), category: fc.constantFrom('lighting', 'plants') }), { nil: undefined }) }),
    fc.record({ type: fc.constant('track'), name: printable(60).filter((name) => name.length > 0), props: fc.dictionary(plainKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }) }),
    fc.record({ type: fc.constant('identify'), userId: fc.stringMatching(/^[A-Za-z0-9_.:@+|=-]{1,40}$/) }),
  );
  return fc.tuple(base, body).map(([b, rest]) => {
    const event = { ...visitorEvent(visitor, 'page_view', b.timestamp), ...rest } as Record<string, unknown>;
    if (b.seq !== undefined) event['seq'] = b.seq;
    for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
    return event;
  });
}

/** Events core's schema refuses, that do not name another visitor (which would refuse the whole batch). */
function invalidEvent(visitor: string): fc.Arbitrary<unknown> {
  const valid = () => visitorEvent(visitor, 'page_view', Date.now());
  return fc.oneof(
    fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.boolean(), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })),
    fc.jsonValue({ maxDepth: 2 }).map((value) => ({ ...valid(), schemaVersion: 2, extra: value })),
    fc.string({ maxLength: 20 }).filter((type) => !['page_view', 'click', 'scroll', 'dwell', 'impression', 'identify', 'track', 'exposure'].includes(type)).map((type) => ({ ...valid(), type })),
    plainKey.filter((key) => !['schemaVersion', 'eventId', 'anonymousId', 'sessionId', 'userId', 'timestamp', 'seq', 'page', 'type'].includes(key)).map((key) => ({ ...valid(), [key]: 1 })),
    fc.jsonValue({ maxDepth: 2 }).filter((url) => typeof url !== 'string' || !/^https?:\/\/[a-z]/i.test(url)).map((url) => ({ ...valid(), page: { url } })),
    fc.integer({ max: 1_577_836_799_999 }).map((timestamp) => ({ ...valid(), timestamp })),
    fc.stringMatching(/^[^A-Za-z0-9_.:@+|=-]$/).map((bad) => ({ ...valid(), type: 'identify', userId: `user${bad}` })),
  );
}

describe('POST /v1/collect, properties', () => {
  it('answers arbitrary bytes of arbitrary sizes with a JSON 4xx or a 200, never a 5xx', async () => {
    const sizes = fc.oneof(fc.nat(64), fc.integer({ min: SMALL_BODY_LIMIT - 8, max: SMALL_BODY_LIMIT + 8 }), fc.nat(3 * SMALL_BODY_LIMIT));
    await fc.assert(
      fc.asyncProperty(sizes.chain((size) => fc.uint8Array({ minLength: size, maxLength: size })), fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'), async (bytes, contentType) => {
        const res = await callEdge(collectRequest(bytes, { contentType }), { COLLECTOR_URL: collector.url, MAX_BODY_BYTES: String(SMALL_BODY_LIMIT) });
        const { status } = await answerOf(res);
        if (bytes.byteLength > SMALL_BODY_LIMIT) expect(status).toBe(413);
      }),
      { numRuns: 1000 },
    );
    await normalRequestSucceeds();
  }, 180_000);

  it('answers arbitrary JSON, as the batch and as its events, with a JSON 4xx or a 200, never a 5xx', async () => {
    const visitor = newVisitor();
    const anyJson = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ events: fc.jsonValue({ maxDepth: 3 }) }),
      fc.record({ events: fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 10 }), sentAt: fc.option(fc.jsonValue({ maxDepth: 0 }), { nil: undefined }) }),
      fc.record({ events: fc.array(fc.oneof(validEvent(visitor), invalidEvent(visitor)), { minLength: 1, maxLength: 5 }) }),
    );
    await fc.assert(
      fc.asyncProperty(anyJson, async (value) => {
        const text = JSON.stringify(value) ?? 'null';
        const res = await callEdge(collectRequest(text), { COLLECTOR_URL: collector.url });
        const { status, body } = await answerOf(res);
        if (status === 200) expect(typeof body['accepted']).toBe('number');
        else expect(typeof body['error']).toBe('string');
      }),
      { numRuns: 1000 },
    );
    await normalRequestSucceeds();
  }, 180_000);

  it('answers arbitrary header values and site keys with a JSON answer, never a 5xx, and takes a good batch only from an allowed origin or the server', async () => {
    const headers = fc.record(
      {
        origin: fc.oneof(fc.constant(ALLOWED_ORIGIN), fc.constant('https://evil.example'), headerValue),
        'content-type': fc.oneof(fc.constant('application/json'), fc.constant('text/plain;charset=UTF-8'), headerValue),
        authorization: fc.oneof(fc.constant(`Bearer ${SERVER_SECRET}`), headerValue.map((v) => `Bearer ${v}`), headerValue),
        'cf-connecting-ip': headerValue,
        'user-agent': headerValue,
        'content-encoding': headerValue,
        'x-forwarded-for': headerValue,
      },
      { requiredKeys: [] },
    );
    const site = fc.oneof(fc.constant<string | null>(SITE_KEY), fc.constant<string | null>(null), fc.string({ maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(headers, site, async (given, siteKey) => {
        const event = visitorEvent(newVisitor(), 'page_view', Date.now());
        const init: Record<string, string> = {};
        for (const [name, value] of Object.entries(given)) if (value !== undefined) init[name] = value;
        const query = siteKey === null ? '' : `?site=${encodeURIComponent(siteKey)}`;
        const request = new Request(`${EDGE}/v1/collect${query}`, { method: 'POST', headers: init, body: JSON.stringify({ events: [event] }) });
        const { status, body } = await answerOf(await callEdge(request, { COLLECTOR_URL: collector.url }));
        if (status === 200) {
          expect(body['accepted']).toBe(1);
          expect(siteKey).toBe(SITE_KEY);
          expect(request.headers.get('origin')).toBe(ALLOWED_ORIGIN);
        }
      }),
      { numRuns: 600 },
    );
    await normalRequestSucceeds();
  }, 180_000);

  it('keeps the valid events beside invalid ones: accepted, the invalid ones named by index, and the valid ones relayed', async () => {
    const kept: string[] = [];
    // A few visitors, each well under its own limit over the run: a new visitor's object first waits for the rules from KV, which would make the run slow, not harder.
    const visitors = Array.from({ length: 24 }, () => newVisitor());
    const batches = fc.constantFrom(...visitors).chain((visitor) => {
      return fc.array(fc.oneof(validEvent(visitor).map((event) => ({ valid: true, event })), invalidEvent(visitor).map((event) => ({ valid: false, event }))), { minLength: 1, maxLength: 12 });
    });
    await fc.assert(
      fc.asyncProperty(batches, async (items) => {
        const res = await callEdge(collectRequest(JSON.stringify({ events: items.map((item) => item.event) })), { COLLECTOR_URL: collector.url });
        const { status, body } = await answerOf(res);
        expect(status).toBe(200);
        const validIndexes = items.flatMap((item, index) => (item.valid ? [index] : []));
        expect(body['accepted']).toBe(validIndexes.length);
        expect((body['rejected'] as { index: number }[]).map((r) => r.index)).toEqual(items.flatMap((item, index) => (item.valid ? [] : [index])));
        for (const index of validIndexes) kept.push((items[index]!.event as { eventId: string }).eventId);
      }),
      { numRuns: 600 },
    );
    await normalRequestSucceeds();
    const relayed = await eventually(
      async () => new Set(relayedEvents(await collector.received()).map((e) => e.eventId)),
      (ids) => kept.every((id) => ids.has(id)),
      60_000,
    );
    expect(kept.filter((id) => !relayed.has(id))).toEqual([]);
  }, 240_000);
});
