/**
 * The console in Debian's Chromium against a fake collector (test/support/fake-collector.ts): every
 * page shows the fake's data and follows its changes live, without a reload; the login keeps
 * everything behind it; the pages work by keyboard and on a 375 px phone; axe finds no serious or
 * critical violation on any page. Runs the built console (dist), as `npm start` does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { CHROMIUM_ARGS, chromiumPath } from '@sessionflow/infra';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../../dist/server.js';
import { ADMIN_SECRET, READ_SECRET, session, startFakeCollector, type FakeCollector } from '../support/fake-collector.js';

const PAGES = ['/', '/sessions', '/sessions/s-alpha', '/experiments', '/rules', '/health', '/people?kind=user&id=user-42'];
const WAIT = { timeout: 15_000 };

let fake: FakeCollector;
let consoleServer: RunningConsole;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  fake = await startFakeCollector();
  consoleServer = await startConsole({
    port: 0,
    collectorUrl: fake.url,
    pipelineUrl: `${fake.url}/pipeline`,
    readSecret: READ_SECRET,
    adminSecret: ADMIN_SECRET,
    pollMs: 250,
    readoutSampleMs: 300,
  });
  // A fresh profile of our own, removed afterwards: nothing carries over between runs.
  userDataDir = mkdtempSync(path.join(tmpdir(), 'sf-console-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS], viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await consoleServer?.close();
  await fake?.close();
});

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** `CONSOLE_SCREENSHOTS=1` writes the README's screenshots (docs/screenshots): JPEG, so they stay small in the repository. */
async function shot(page: Page, name: string): Promise<void> {
  if (process.env['CONSOLE_SCREENSHOTS'] !== '1') return;
  await page.waitForTimeout(600); // let the charts draw a few points: a picture, not an assertion
  await page.screenshot({ path: path.join(import.meta.dirname, '..', '..', 'docs', 'screenshots', `${name}.jpg`), fullPage: true, type: 'jpeg', quality: 50 });
}

const testid = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const textOf = (page: Page, id: string) => testid(page, id).first().textContent();

async function waitForText(page: Page, id: string, pattern: RegExp): Promise<void> {
  await page.waitForFunction(
    ([sel, source, flags]) => new RegExp(source as string, flags as string).test(document.querySelector(sel as string)?.textContent ?? ''),
    [`[data-testid="${id}"]`, pattern.source, pattern.flags],
    WAIT,
  );
}

describe('the console in Chromium', () => {
  let page: Page;

  it('keeps every page behind the login, refuses a wrong secret, and lets the admin secret in', async () => {
    page = await context.newPage();
    for (const p of PAGES) {
      await page.goto(`${consoleServer.url}${p}`);
      expect(new URL(page.url()).pathname, p).toBe('/login');
    }
    expect(await seriousViolations(page)).toEqual([]);
    await testid(page, 'login-secret').fill(READ_SECRET);
    await testid(page, 'login-submit').click();
    await testid(page, 'login-error').waitFor(WAIT);
    expect(await textOf(page, 'login-error')).toContain('not the admin secret');
    // By keyboard: type the secret and press Enter; the login goes on to where it was asked for.
    await testid(page, 'login-secret').fill(ADMIN_SECRET);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/people\?kind=user&id=user-42$/, WAIT);
  });

  it('Now: open sessions, visitors, events per second by type and the funnel, live', async () => {
    await page.goto(`${consoleServer.url}/`);
    await waitForText(page, 'stat-open-sessions', /^2$/);
    expect(await textOf(page, 'stat-visitors')).toBe('2');
    await testid(page, 'funnel-table').locator('tr[data-step="add_to_cart"]').waitFor(WAIT);
    expect(await testid(page, 'funnel-table').locator('tr[data-step="add_to_cart"]').textContent()).toMatch(/add_to_cart\s*5\s*10\s*41\.7%/);
    expect(await testid(page, 'funnel-segments').locator('tbody tr').count()).toBe(2);
    expect(await testid(page, 'funnel-chart').locator('canvas').count()).toBe(1);
    // Traffic arrives: the counters climb, the rate shows without a reload.
    const before = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    fake.state.eventsByType['page_view'] = (fake.state.eventsByType['page_view'] ?? 0) + 5000;
    await testid(page, 'events-by-type').locator('tr[data-type="page_view"]').waitFor(WAIT);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="stat-events-per-second"]')?.textContent ?? '0') > 0, undefined, WAIT);
    fake.state.sessions.push(session('s-new'));
    await waitForText(page, 'stat-open-sessions', /^3$/);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(before);
    expect(await testid(page, 'events-chart').locator('canvas').count()).toBe(1);
    expect(await testid(page, 'live-status').getAttribute('data-state')).toBe('live');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'now');
  });

  it('Live sessions: each open session with its signals, variants and decisions; a new decision and a new session appear live', async () => {
    await page.goto(`${consoleServer.url}/sessions`);
    const alpha = page.locator('[data-testid="session-row"][data-session-id="s-alpha"]');
    await alpha.waitFor(WAIT);
    expect(await alpha.locator('[data-testid="session-signals"]').textContent()).toMatch(/intent lighting \(72%\).*engagement 55%.*cart abandonment risk 81%.*bounce risk 10%/);
    expect(await alpha.locator('[data-testid="session-variants"]').textContent()).toContain('banner-copy: bold');
    expect(await alpha.locator('[data-testid="decision"]').count()).toBe(1);
    const s = fake.state.sessions.find((x) => x.sessionId === 's-alpha')!;
    s.decisions = [...s.decisions, { id: 'd-live', at: Date.now(), ruleId: 'welcome-banner', actionId: 'a-live', kind: 'banner', slot: 'banner' }];
    s.lastActivityAt = Date.now();
    await alpha.locator('[data-decision-id="d-live"]').waitFor(WAIT);
    fake.state.sessions.push(session('s-later', { lastActivityAt: Date.now() + 1000 }));
    await page.locator('[data-testid="session-row"][data-session-id="s-later"]').waitFor(WAIT);
    expect(await page.locator('[data-testid="session-row"]').first().getAttribute('data-session-id')).toBe('s-later');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'sessions');
  });

  it('follows one session by keyboard and shows each new decision as it is made', async () => {
    await page.goto(`${consoleServer.url}/sessions`);
    const link = page.locator('[data-testid="session-row"][data-session-id="s-alpha"] a').first();
    await link.waitFor(WAIT);
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/sessions\/s-alpha$/, WAIT);
    await testid(page, 'session-signals').waitFor(WAIT);
    expect(await textOf(page, 'session-signals')).toContain('cart abandonment risk 81%');
    expect(await testid(page, 'session-decisions').locator('[data-decision-id="d-live"]').count()).toBe(1);
    const s = fake.state.sessions.find((x) => x.sessionId === 's-alpha')!;
    s.decisions = [...s.decisions, { id: 'd-follow', at: Date.now() + 10, ruleId: 'cart-rescue', actionId: 'a-follow', kind: 'offer', slot: 'offer' }];
    s.signals = { ...s.signals, cartAbandonmentRisk: 0.35 };
    await testid(page, 'session-decisions').locator('[data-decision-id="d-follow"]').waitFor(WAIT);
    await waitForText(page, 'session-signals', /cart abandonment risk 35%/);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'session');
  });

  it('Experiments: variants with rates and intervals, the lift chart, and the sample-ratio alarm when the split breaks', async () => {
    await page.goto(`${consoleServer.url}/experiments`);
    const exp = testid(page, 'experiment-banner-copy');
    await exp.locator('[data-testid="variant-row"][data-variant="bold"]').waitFor(WAIT);
    expect(await exp.locator('[data-testid="variant-row"][data-variant="bold"]').textContent()).toMatch(/12\.9%.*9\.9%\s*–\s*16\.5%.*\+2\.9 pp.*−6\.0 pp … \+11\.8 pp/);
    expect(await exp.locator('[data-testid="srm-alarm"]').count()).toBe(0);
    await exp.locator('[data-testid="lift-chart"] canvas').waitFor(WAIT);
    // Units come in and the always-valid interval narrows: the history shows the first, wide one and the new one.
    await waitForText(page, 'lift-summary', /bold: \+2\.9 pp, interval −6\.0 pp … \+11\.8 pp \(17\.8 pp wide/);
    const wide = fake.state.experiments['banner-copy']!;
    const bold = wide.variants[1]!;
    fake.state.experiments['banner-copy'] = { ...wide, variants: [wide.variants[0]!, { ...bold, exposedUnits: 4040, lift: { ...bold.lift!, sequentialInterval: { lower: 0.004, upper: 0.05 } } }] };
    await waitForText(page, 'lift-summary', /interval \+0\.4 pp … \+5\.0 pp \(4\.6 pp wide; 17\.8 pp at the first of \d+ samples\)/);
    const e = fake.state.experiments['banner-copy']!;
    fake.state.experiments['banner-copy'] = { ...e, sampleRatio: { chiSquare: 31.2, degreesOfFreedom: 1, pValue: 2.3e-8, mismatch: true } };
    await exp.locator('[data-testid="srm-alarm"]').waitFor(WAIT);
    expect(await exp.locator('[data-testid="srm-alarm"]').getAttribute('role')).toBe('alert');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'experiments');
  });

  it('Rules: the document in force, fires per rule, and the error of a refused document', async () => {
    await page.goto(`${consoleServer.url}/rules`);
    await waitForText(page, 'rules-version', /2026-12-07\.1/);
    expect(await textOf(page, 'rules-source')).toContain('KV');
    expect(await textOf(page, 'rules-document')).toContain('"cart-rescue"');
    expect(await testid(page, 'rule-fires').locator('[data-rule-id="cart-rescue"]').textContent()).toMatch(/cart-rescue\s*7/);
    expect(await testid(page, 'rules-error').count()).toBe(0);
    fake.state.rules = { ...fake.state.rules, error: 'rules.1.when.and.0: unknown operator "resembles"' };
    await testid(page, 'rules-error').waitFor(WAIT);
    expect(await textOf(page, 'rules-error')).toContain('rules.1.when.and.0: unknown operator');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'rules');
  });

  it('Health: lag per stage and partition, produce latency, the edge\'s outbox depth and decide latency, live', async () => {
    await page.goto(`${consoleServer.url}/health`);
    await testid(page, 'lag-table').locator('[data-testid="lag-row"][data-stage="aggregates"]').waitFor(WAIT);
    expect(await testid(page, 'lag-table').locator('[data-testid="lag-row"]').count()).toBe(3);
    await waitForText(page, 'outbox-depth', /^2$/);
    fake.state.outboxDepth = 17;
    fake.state.lag['aggregates:0'] = 900;
    fake.state.eventsByType['click'] = (fake.state.eventsByType['click'] ?? 0) + 100;
    await waitForText(page, 'outbox-depth', /^17$/);
    await waitForText(page, 'lag-table', /aggregates\s*sf\.events\s*0\s*900/);
    await waitForText(page, 'produce-latency', /^\d+(\.\d)? \/ \d+(\.\d)? ms$/);
    await waitForText(page, 'decide-latency', /^\d+(\.\d)? \/ \d+(\.\d)? ms$/);
    // Each part's level, and why where the collector says: the pipeline behind, the rest full.
    const row = (part: string, level = '') => testid(page, 'degradation').locator(`[data-testid="degradation-row"][data-part="${part}"]${level ? `[data-level="${level}"]` : ''}`);
    await row('pipeline', 'popularity').waitFor(WAIT);
    expect(await row('pipeline').textContent()).toMatch(/Pipeline\s*popularity\s*lag_s/);
    expect(await row('edge').getAttribute('data-level')).toBe('full');
    expect(await row('collector').getAttribute('data-level')).toBe('full');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'health');
    // The collector fills up and the edge sheds: the page follows; then the pipeline goes silent.
    fake.state.degradation = { edge: 'live_only', collector: { level: 'data_only', reason: 'pending_bytes' }, pipeline: { level: 'popularity', reason: 'pipeline_silent' } };
    await row('collector', 'data_only').waitFor(WAIT);
    expect(await row('collector').textContent()).toMatch(/Collector\s*data_only\s*pending_bytes/);
    await row('edge', 'live_only').waitFor(WAIT);
    await waitForText(page, 'degradation', /Pipeline\s*popularity\s*pipeline_silent/);
    fake.state.degradation = { edge: null, collector: { level: 'full' }, pipeline: { level: 'full' } };
    await row('edge', 'none').waitFor(WAIT);
    expect(await row('edge').textContent()).toContain('not reported');
    await row('pipeline', 'full').waitFor(WAIT);
  });

  it('People: looks a user up and erases them after the confirmation', async () => {
    await page.goto(`${consoleServer.url}/people`);
    await testid(page, 'people-id').fill('user-42');
    await testid(page, 'people-submit').click();
    await testid(page, 'profile').waitFor(WAIT);
    expect(await textOf(page, 'profile-devices')).toContain('anon-laptop-9');
    expect(await textOf(page, 'profile-affinities')).toMatch(/lighting\s*3\.20/);
    expect(await textOf(page, 'profile-recs')).toContain('Brass desk lamp');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'people');
    // Cancel first: nothing is erased.
    await testid(page, 'erase-button').click();
    await testid(page, 'erase-cancel').click();
    expect(fake.state.erased).toEqual([]);
    await testid(page, 'erase-button').click();
    expect(await seriousViolations(page)).toEqual([]);
    await testid(page, 'erase-confirm').click();
    await waitForText(page, 'erase-result', /was erased/);
    expect(fake.state.erased).toEqual(['user-42']);
    await page.reload();
    await testid(page, 'people-not-found').waitFor(WAIT);
  });

  it('works by keyboard: the skip link leads to the content, the page list is reachable in order', async () => {
    await page.goto(`${consoleServer.url}/health`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.goto(`${consoleServer.url}/health`);
    const order: string[] = [];
    for (let i = 0; i < 9; i++) {
      await page.keyboard.press('Tab');
      order.push((await page.evaluate(() => document.activeElement?.textContent?.trim())) ?? '');
    }
    expect(order.slice(0, 9)).toEqual(['Skip to content', 'Sessionflow console', 'Now', 'Live sessions', 'Experiments', 'Rules', 'Health', 'People', 'Log out']);
  });

  it('fits a 375 px phone on every page, with no serious or critical violation there either', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 375, height: 812 });
    for (const p of PAGES) {
      await phone.goto(`${consoleServer.url}${p}`);
      await phone.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.getAttribute('data-state') === 'live', undefined, WAIT);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, p).toBeLessThanOrEqual(0);
      expect(await seriousViolations(phone), p).toEqual([]);
      if (p === '/sessions') await shot(phone, 'phone-sessions');
    }
    await phone.close();
  });

  it('logs out: the pages and the stream are refused again', async () => {
    await page.goto(`${consoleServer.url}/`);
    await testid(page, 'logout').click();
    await page.waitForURL(/\/login$/, WAIT);
    const status = await page.evaluate(async () => (await fetch('/live?feed=now')).status);
    expect(status).toBe(401);
    await page.goto(`${consoleServer.url}/rules`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});
