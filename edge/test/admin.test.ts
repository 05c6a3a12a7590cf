/**
 * /v1/admin/*: the admin secret only (401 without or unknown, 403 for a
 * secret of another scope); erase deletes a visitor's objects on every
 * configured site (storage, outbox and alarm), inspection reads without
 * creating anything.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { newVisitor, visitorEvent } from './events.js';
import { adminRequest, callEdge, collectRequest, IDENTITY_SECRET, inspectVisitor, SERVER_SECRET } from './helpers.js';
import { TEST_READ_SECRET, TEST_RELAY_SECRET, TEST_SITE_SECRETS } from './shared.js';

const SECOND_SITE = 'second-site-key';
const SITES = JSON.stringify({
  'demo-site-key': { origins: ['http://localhost:8080'] },
  [SECOND_SITE]: { origins: ['https://second.example'] },
});

const objectOf = (site: string, visitor: string) => env.VISITOR!.get(env.VISITOR!.idFromName(`${site}:${visitor}`));

/** A visitor with state on both sites, its batches waiting in the outboxes (the collector is down), so an alarm is set. */
async function visitorOnBothSites(): Promise<string> {
  const visitor = newVisitor();
  const bindings = { SITES, COLLECTOR_URL: inject('deadCollectorUrl') };
  for (const [site, origin] of [['demo-site-key', 'http://localhost:8080'], [SECOND_SITE, 'https://second.example']] as const) {
    const res = await callEdge(collectRequest(JSON.stringify({ events: [visitorEvent(visitor, 'page_view', Date.now())] }), { site, origin }), bindings);
    expect(res.status).toBe(200);
  }
  return visitor;
}

describe('admin authorization', () => {
  it.each([
    ['no Authorization', null, 401, 'unauthorized'],
    ['an unknown bearer', 'Bearer an-unknown-secret-that-is-long-enough-000', 401, 'unauthorized'],
    ['the site\'s server secret', `Bearer ${SERVER_SECRET}`, 403, 'wrong_scope'],
    ['the site\'s identity secret', `Bearer ${IDENTITY_SECRET}`, 403, 'wrong_scope'],
    ['the relay secret', `Bearer ${TEST_RELAY_SECRET}`, 403, 'wrong_scope'],
    ['the read secret', `Bearer ${TEST_READ_SECRET}`, 403, 'wrong_scope'],
  ])('refuses %s', async (_name, authorization, status, error) => {
    const visitor = await visitorOnBothSites();
    const erase = await callEdge(adminRequest('/erase', { method: 'POST', body: { anonymousIds: [visitor] }, authorization }), { SITES });
    expect(erase.status).toBe(status);
    expect(await erase.json()).toMatchObject({ error });
    const inspect = await callEdge(adminRequest(`/visitors/${visitor}?site=demo-site-key`, { authorization }));
    expect(inspect.status).toBe(status);
    // Refused: the objects are still there.
    expect((await inspectVisitor(visitor)).exists).toBe(true);
  });

  it('is closed while ADMIN_SECRET is not set, saying so', async () => {
    const res = await callEdge(adminRequest('/visitors/anon-12345678?site=demo-site-key'), { ADMIN_SECRET: undefined });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining('ADMIN_SECRET') });
  });
});

describe('POST /v1/admin/erase', () => {
  it('deletes the visitor\'s objects on every site: state, outbox and alarm', async () => {
    const visitor = await visitorOnBothSites();
    const other = await visitorOnBothSites();
    for (const site of ['demo-site-key', SECOND_SITE]) {
      const before = await inspectVisitor(visitor, site, { SITES });
      expect(before).toMatchObject({ exists: true, outboxDepth: 1 });
      expect(await runInDurableObject(objectOf(site, visitor), (_instance, state) => state.storage.getAlarm())).not.toBeNull();
    }

    const res = await callEdge(adminRequest('/erase', { method: 'POST', body: { anonymousIds: [visitor, newVisitor()] } }), { SITES });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ erased: 2 });

    for (const site of ['demo-site-key', SECOND_SITE]) {
      expect(await inspectVisitor(visitor, site, { SITES })).toEqual({ exists: false, state: null, outboxDepth: 0 });
      const left = await runInDurableObject(objectOf(site, visitor), async (_instance, state) => ({ alarm: await state.storage.getAlarm(), keys: [...(await state.storage.list()).keys()] }));
      expect(left).toEqual({ alarm: null, keys: [] });
      // Another visitor's objects are untouched.
      expect((await inspectVisitor(other, site, { SITES })).exists).toBe(true);
    }
    const again = await callEdge(adminRequest('/erase', { method: 'POST', body: { anonymousIds: [visitor] } }), { SITES });
    expect(await again.json()).toEqual({ erased: 0 });
  });

  it('forgets what the object held in memory too: the next visit starts afresh', async () => {
    const visitor = newVisitor();
    const first = await callEdge(collectRequest(JSON.stringify({ events: [visitorEvent(visitor, 'page_view', Date.now(), { sessionId: 'sess-before-erasure' })] })), {
      COLLECTOR_URL: inject('deadCollectorUrl'),
    });
    expect(first.status).toBe(200);
    expect((await callEdge(adminRequest('/erase', { method: 'POST', body: { anonymousIds: [visitor] } }))).status).toBe(200);
    const next = await callEdge(collectRequest(JSON.stringify({ events: [visitorEvent(visitor, 'page_view', Date.now(), { sessionId: 'sess-after-erasure' })] })), {
      COLLECTOR_URL: inject('deadCollectorUrl'),
    });
    expect(next.status).toBe(200);
    const { state, outboxDepth } = await inspectVisitor(visitor);
    expect(state?.session?.id).toBe('sess-after-erasure');
    expect(state?.session?.events).toBe(1);
    expect(outboxDepth).toBe(1);
  });

  it.each([
    ['no anonymousIds', {}, 'anonymousIds'],
    ['no ids', { anonymousIds: [] }, 'anonymousIds'],
    ['a malformed id', { anonymousIds: ['anon-12345678', 'not an id'] }, 'anonymousIds.1'],
    ['a number', { anonymousIds: ['anon-12345678', 42] }, 'anonymousIds.1'],
    ['1001 ids', { anonymousIds: Array.from({ length: 1001 }, (_, i) => `anon-${String(i).padStart(8, '0')}`) }, 'anonymousIds'],
  ])('refuses %s with 400 naming the field', async (_name, body, field) => {
    const res = await callEdge(adminRequest('/erase', { method: 'POST', body }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', message: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: `)) });
  });
});

describe('GET /v1/admin/visitors/:anonymousId', () => {
  it('answers for a visitor never seen without creating it', async () => {
    const visitor = newVisitor();
    expect(await inspectVisitor(visitor)).toEqual({ exists: false, state: null, outboxDepth: 0 });
    const keys = await runInDurableObject(objectOf('demo-site-key', visitor), async (_instance, state) => [...(await state.storage.list()).keys()]);
    expect(keys).toEqual([]);
  });

  it.each([
    ['an unknown site', '/visitors/anon-12345678?site=nope', 'site'],
    ['no site', '/visitors/anon-12345678', 'site'],
    ['a malformed id', '/visitors/short?site=demo-site-key', 'anonymousId'],
  ])('refuses %s with 400 naming it', async (_name, path, field) => {
    const res = await callEdge(adminRequest(path));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: expect.stringMatching(new RegExp(`^${field}: `)) });
  });

  it('shows the state a visit stored, without the site secrets in it', async () => {
    const visitor = await visitorOnBothSites();
    const { state } = await inspectVisitor(visitor, SECOND_SITE, { SITES });
    expect(state?.session?.events).toBe(1);
    expect(JSON.stringify(state)).not.toContain(TEST_SITE_SECRETS['demo-site-key'].identity);
  });
});

describe('GET /v1/admin/rules', () => {
  /** A RULES namespace of its own (the isolate's rules store is shared per binding), holding `text` under `rules`. */
  const kvHolding = (text: string | null) => ({ get: async () => text }) as unknown as KVNamespace;
  const validDocument = { version: 'admin-test-1', rules: [{ id: 'hello', priority: 1, when: { '>=': [{ var: 'signals.productViews' }, 1] }, actions: [{ kind: 'banner', title: 'Hello' }] }] };

  it('answers the document in force, its version and source', async () => {
    const res = await callEdge(adminRequest('/rules'), { RULES: kvHolding(JSON.stringify(validDocument)) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ version: 'admin-test-1', source: 'kv', document: { version: 'admin-test-1', rules: [{ id: 'hello' }] } });
    expect(body['error']).toBeUndefined();
  });

  it('says why the stored document is refused, while the built-in one serves', async () => {
    const refused = { ...validDocument, version: 'admin-test-2', rules: [{ ...validDocument.rules[0], priority: 'high' }] };
    const res = await callEdge(adminRequest('/rules'), { RULES: kvHolding(JSON.stringify(refused)) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { version: string; source: string; error: string };
    expect(body.source).toBe('default');
    expect(body.version).not.toBe('admin-test-2');
    expect(body.error).toMatch(/^rules\.0\.priority: /);
  });

  it('refuses a bearer of another scope', async () => {
    const res = await callEdge(adminRequest('/rules', { authorization: `Bearer ${TEST_READ_SECRET}` }));
    expect(res.status).toBe(403);
  });
});
