/**
 * The console against the running loop (real Chromium, workerd, Kafka, Redis,
 * collector, pipeline): what a shopper does on the storefront shows on the
 * console's live sessions page (within 2 s of the purchase reaching Kafka) with
 * its signals and the very actions the edge answered, the funnel counts the purchase, the experiment page follows the
 * exposures, a sample-ratio mismatch raises its alarm, a refused rules
 * document shows its error, and erasing a user from the console removes them
 * from every read. axe finds no serious or critical violation on any console
 * or storefront page.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SCHEMA_VERSION, SIGNATURE_HEADER, decodeEventRecord, signRelay, type SessionflowEvent } from '@sessionflow/core';
import { nodeHmacCrypto } from '@sessionflow/collector';
import { consoleContext, openConsolePage, seriousViolations, testid } from './support/console.js';
import { anonymousIdIn, localExperiment } from './support/experiments.js';
import { useLoopStack } from './support/loop-stack.js';
import { settled } from './support/settled.js';

const env = useLoopStack(['pipeline', 'console']);
let admin: BrowserContext;

beforeAll(async () => {
  admin = await consoleContext(env.browser, env.stack);
});
afterAll(async () => {
  await admin?.close();
});

interface Shopper {
  page: Page;
  anonymousId: string;
  /** The ids of every action the edge answered this shopper with. */
  actionIds: Set<string>;
}

async function newShopper(): Promise<Shopper> {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const shopper: Shopper = { page, anonymousId: '', actionIds: new Set() };
  page.on('response', (response) => {
    if (!response.url().includes('/v1/collect') || response.status() !== 200) return;
    response
      .json()
      .then((body: { actions?: { id: string }[] }) => {
        for (const action of body.actions ?? []) shopper.actionIds.add(action.id);
      })
      .catch(() => {});
  });
  await page.goto(`${env.stack.demoUrl}/c/lighting`);
  await page.waitForFunction(() => typeof window.sessionflow?.anonymousId() === 'string');
  shopper.anonymousId = await page.evaluate(() => window.sessionflow!.anonymousId()!);
  return shopper;
}

const cellTexts = (row: Locator): Promise<string[]> => row.locator('td, th').allTextContents();
const count = (text: string | undefined): number => Number((text ?? '').replace(/[^\d]/g, '') || 'NaN');

test('a visit (category → product → cart → checkout) shows on the live sessions page with its signals and the decided actions, and the funnel counts it', async () => {
  const sessions = await openConsolePage(admin, env.stack, '/sessions');
  const now = await openConsolePage(admin, env.stack, '/');
  const purchasesBefore = count((await cellTexts(testid(now, 'funnel-table').locator('[data-step="purchase"]')))[1] ?? '0');

  const shopper = await newShopper();
  const { page } = shopper;
  const lighting = testid(page, 'product-card');
  await lighting.nth(0).locator('a').first().click();
  await page.waitForURL(/\/p\//);
  await page.goBack();
  await lighting.nth(1).locator('a').first().click();
  await page.waitForURL(/\/p\//);
  await testid(page, 'add-to-cart').first().click();
  await expect.poll(async () => count((await testid(page, 'cart-count').textContent()) ?? ''), { timeout: 10_000 }).toBeGreaterThan(0);
  await page.goto(`${env.stack.demoUrl}/cart`);
  await testid(page, 'checkout-link').click();
  await page.waitForURL(/\/checkout/);
  const form: Record<string, string> = { name: 'Ada Shopper', email: 'ada@example.com', address: '1 Loop Lane', postcode: '1000', city: 'Brussels', country: 'Belgium' };
  for (const [field, value] of Object.entries(form)) await page.fill(`#checkout-${field}`, value);
  await testid(page, 'checkout-submit').click();
  await testid(page, 'order-confirmation').waitFor({ timeout: 10_000 });

  // The purchase is in Kafka (the collector took it from the edge's relay); from then, the console has 2 seconds.
  // (The SDK may send it with a beacon as the order page replaces the checkout: no answer to watch for.)
  await env.events.waitFor((records) =>
    records.map((record) => decodeEventRecord(record.value)).find((e) => e.anonymousId === shopper.anonymousId && e.type === 'track' && e.name === 'purchase'),
  );
  const inKafkaAt = performance.now();
  const row = sessions.locator(`[data-testid="session-row"][data-anonymous-id="${shopper.anonymousId}"][data-purchased="true"]`);
  await row.waitFor({ timeout: Math.max(1, 2_000 - (performance.now() - inKafkaAt)) });

  const signals = testid(row, 'session-signals');
  await expect.poll(() => signals.locator('[data-signal="intent"]').textContent()).toContain('lighting');
  expect(await signals.locator('[data-signal]').count()).toBeGreaterThanOrEqual(4);

  // Followed, the session shows every action the edge answered the page with.
  expect(shopper.actionIds.size).toBeGreaterThan(0);
  await row.locator('a').first().click();
  await testid(sessions, 'session-detail').waitFor();
  await expect
    .poll(async () => {
      const shown = await testid(sessions, 'session-decisions').locator('[data-testid="decision"]').allTextContents();
      return [...shopper.actionIds].filter((id) => !shown.some((text) => text.includes(id)));
    }, { timeout: 10_000 })
    .toEqual([]);

  // The funnel of the Now page counts the purchase.
  await expect
    .poll(async () => count((await cellTexts(testid(now, 'funnel-table').locator('[data-step="purchase"]')))[1]), { timeout: 10_000 })
    .toBeGreaterThan(purchasesBefore);
  await Promise.all([sessions.close(), now.close(), page.context().close()]);
});

test('an exposure moves the experiment page, and a forced sample-ratio mismatch raises the alarm', async () => {
  const experiment = localExperiment('recs-strategy');
  const page = await openConsolePage(admin, env.stack, '/experiments');
  const card = testid(page, `experiment-${experiment.key}`);
  await card.waitFor();
  const exposures = async (): Promise<number> => {
    let total = 0;
    for (const row of await testid(card, 'variant-row').all()) total += count((await cellTexts(row))[2]);
    return total;
  };
  const before = await exposures();
  expect(await testid(card, 'srm-alarm').count()).toBe(0);

  // A shopper sees recommendations on product pages: the recs-strategy experiment's exposure.
  const shopper = await newShopper();
  const recs = shopper.page.locator('[data-sf-slot="recs"] .sf-recs');
  for (let i = 0; (await recs.count()) === 0 && i < 20; i++) {
    await shopper.page.goto(`${env.stack.demoUrl}/p/sku-100${1 + (i % 4)}`);
    await shopper.page.waitForTimeout(1_000);
  }
  await recs.waitFor({ state: 'visible', timeout: 10_000 });
  await expect.poll(exposures, { timeout: 15_000 }).toBeGreaterThan(before);

  // Sixty units, all in one variant: as if the other variant's exposures were lost on the way.
  const units = Array.from({ length: 60 }, () => anonymousIdIn(experiment, 'similar'));
  const status = await relay(units.map((anonymousId) => exposure(anonymousId, experiment.key, 'similar')));
  expect(status).toBe(202);
  await testid(card, 'srm-alarm').waitFor({ timeout: 20_000 });
  expect(await testid(card, 'srm-alarm').getAttribute('role')).toBe('alert');
  await Promise.all([page.close(), shopper.page.context().close()]);
});

test('a refused rules document shows its error on the rules page, and the document in force stays', async () => {
  const page = await openConsolePage(admin, env.stack, '/rules');
  // The version in force, once the page has its first picture (a dash stands in before).
  await expect.poll(() => testid(page, 'rules-version').textContent(), { timeout: 10_000 }).toMatch(/\w/);
  const version = await testid(page, 'rules-version').textContent();
  expect(await testid(page, 'rules-error').count()).toBe(0);

  // Written with wrangler itself, past `rules:push`'s check, as an operator could.
  const bad = path.join(env.stack.dir, 'bad-rules.json');
  writeFileSync(bad, JSON.stringify({ version: 'broken-1', rules: [{ id: 'no-actions', when: { all: [] } }] }));
  expect(await putLocalRules(bad, path.join(env.stack.dir, 'wrangler'))).toBe(0);

  // The edge re-reads KV every 10 s; the console follows within a poll.
  await testid(page, 'rules-error').waitFor({ timeout: 30_000 });
  expect((await testid(page, 'rules-error').textContent())?.length).toBeGreaterThan(0);
  expect(await testid(page, 'rules-version').textContent()).toBe(version);
  await page.close();
});

test('erasing a user from the console removes them from every read', async () => {
  const shopper = await newShopper();
  await testid(shopper.page, 'sign-in').click();
  await testid(shopper.page, 'sign-out').waitFor({ timeout: 10_000 });
  const userId = 'demo-user-1';
  await shopper.page.goto(`${env.stack.demoUrl}/p/sku-1002`);
  await testid(shopper.page, 'add-to-cart').first().click();
  await expect.poll(async () => count((await testid(shopper.page, 'cart-count').textContent()) ?? ''), { timeout: 10_000 }).toBeGreaterThan(0);
  // The shopper leaves before the erasure: a page still open keeps sending, and would be a new visit.
  await shopper.page.context().close();
  await settled(async () => env.events.records.filter((r) => r.key === shopper.anonymousId).length);

  const page = await admin.newPage();
  const lookUp = async (kind: 'user' | 'device', id: string): Promise<void> => {
    await page.goto(`${env.stack.consoleUrl}/people`);
    await testid(page, 'people-kind').selectOption(kind);
    await testid(page, 'people-id').fill(id);
    await testid(page, 'people-submit').click();
    await page.locator('[data-testid="profile"], [data-testid="people-not-found"]').first().waitFor({ timeout: 10_000 });
  };
  await expect
    .poll(async () => {
      await lookUp('user', userId);
      return testid(page, 'profile').count();
    }, { timeout: 30_000, interval: 1_000 })
    .toBe(1);
  expect(await testid(page, 'profile').getAttribute('data-id')).toBe(userId);

  await testid(page, 'erase-button').click();
  await testid(page, 'erase-dialog').waitFor();
  expect(await testid(page, 'erase-who').textContent()).toContain(userId);
  await testid(page, 'erase-confirm').click();
  await expect.poll(() => testid(page, 'erase-result').textContent(), { timeout: 30_000 }).toMatch(/erased/i);

  const read = (route: string) => fetch(`${env.stack.collectorUrl}${route}`, { headers: { authorization: `Bearer ${env.stack.secrets.read}` } });
  expect((await read(`/v1/profile/user/${userId}`)).status).toBe(404);
  expect((await read(`/v1/profile/device/${shopper.anonymousId}`)).status).toBe(404);
  const open = (await (await read('/v1/sessions/open?limit=200')).json()) as { sessions: { anonymousId: string; userId?: string }[] };
  expect(open.sessions.filter((s) => s.anonymousId === shopper.anonymousId || s.userId === userId)).toEqual([]);
  await lookUp('user', userId);
  expect(await testid(page, 'people-not-found').count()).toBe(1);
  await page.close();
});

test('axe finds no serious or critical violation on any console or storefront page', async () => {
  const open = (await (
    await fetch(`${env.stack.collectorUrl}/v1/sessions/open?limit=1`, { headers: { authorization: `Bearer ${env.stack.secrets.read}` } })
  ).json()) as { sessions: { sessionId: string }[] };
  const consolePaths = ['/', '/sessions', '/experiments', '/rules', '/health', '/people', '/people?kind=user&id=nobody-here'];
  if (open.sessions[0] !== undefined) consolePaths.push(`/sessions/${encodeURIComponent(open.sessions[0].sessionId)}`);
  const found: string[] = [];
  for (const p of consolePaths) {
    const page = await openConsolePage(admin, env.stack, p);
    found.push(...(await seriousViolations(page)).map((v) => `console ${p}: ${v}`));
    await page.close();
  }
  const shop = await env.browser.newContext();
  for (const p of ['/', '/c/kitchen', '/p/sku-1001', '/search?q=lamp', '/cart', '/checkout', '/app', '/app/p/sku-1003']) {
    const page = await shop.newPage();
    await page.goto(`${env.stack.demoUrl}${p}`);
    await page.waitForLoadState('networkidle');
    found.push(...(await seriousViolations(page)).map((v) => `storefront ${p}: ${v}`));
    await page.close();
  }
  await shop.close();
  expect(found).toEqual([]);
});

function exposure(anonymousId: string, experiment: string, variant: string): SessionflowEvent {
  return {
    schemaVersion: SCHEMA_VERSION,
    type: 'exposure',
    eventId: crypto.randomUUID(),
    anonymousId,
    sessionId: crypto.randomUUID(),
    timestamp: Date.now(),
    page: { url: `${env.stack.demoUrl}/p/sku-1001`, referrer: '', pageViewId: crypto.randomUUID() },
    actionId: 'product-recs.similar:0',
    experiment,
    variant,
    slot: 'recs',
  };
}

/** Posts events to the collector as the edge relays them (signed with the relay secret); one envelope per visitor. */
async function relay(events: SessionflowEvent[]): Promise<number> {
  const secret = new TextEncoder().encode(env.stack.secrets.relay);
  let status = 0;
  for (const event of events) {
    const body = new TextEncoder().encode(JSON.stringify({ relayVersion: 1, siteKey: env.stack.siteKey, receivedAt: Date.now(), events: [event] }));
    const signature = await signRelay(nodeHmacCrypto(), secret, body, Date.now());
    const res = await fetch(`${env.stack.collectorUrl}/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, body });
    status = res.status;
    if (status !== 202) return status;
  }
  return status;
}

/** `wrangler kv key put rules` into the local store the stack's `wrangler dev` reads. */
function putLocalRules(file: string, persistTo: string): Promise<number> {
  const require = createRequire(import.meta.url);
  const bin = path.join(path.dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  const edgeDir = fileURLToPath(new URL('../../edge/', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'kv', 'key', 'put', 'rules', '--path', file, '--binding', 'RULES', '--local', '--persist-to', persistTo], {
      cwd: edgeDir,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
