/**
 * The demo sign-in on the storefront's own server: the identity token it signs
 * (checked here with node:crypto, independently of the library that signed it),
 * the cookie that keeps the visitor signed in, a fresh token on every page
 * load, and sign-out.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderIdentity } from '../src/storefront/render.js';
import { DEMO_USER, startDemoSite, type DemoSite } from '../src/server.js';

const SITE_KEY = 'demo-site-key';
const SECRET = randomBytes(32).toString('base64url');
/** "Short-lived": what the issue asks of the token; the edge allows at most a day. */
const SHORT_S = 3600;

let dir: string;
let site: DemoSite;
let unconfigured: DemoSite;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'demo-site-account-'));
  writeFileSync(join(dir, 'sessionflow.min.js'), '/* fake sdk */\n');
  const sdkFile = join(dir, 'sessionflow.min.js');
  site = await startDemoSite({ port: 0, edgeUrl: 'http://127.0.0.1:9', siteKey: SITE_KEY, sdkFile, identitySecret: SECRET });
  unconfigured = await startDemoSite({ port: 0, edgeUrl: 'http://127.0.0.1:9', siteKey: SITE_KEY, sdkFile });
});

afterAll(async () => {
  await site?.close();
  await unconfigured?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.useRealTimers();
});

interface Claims {
  sub?: unknown;
  aud?: unknown;
  exp?: number;
  iat?: number;
}

const fromBase64url = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The token's header and claims if its HS256 signature is `secret`'s, else throws. */
function verifyHs256(token: string, secret: string): { header: Record<string, unknown>; claims: Claims } {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) throw new Error(`not a compact JWT: ${token}`);
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  if (expected !== signature) throw new Error('signature does not match the secret');
  return { header: fromBase64url(header), claims: fromBase64url(payload) as Claims };
}

async function signIn(base = site.url): Promise<{ status: number; body: Record<string, unknown>; cookie: string | undefined }> {
  const response = await fetch(`${base}/api/sign-in`, { method: 'POST' });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('demo_user='));
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookie };
}

/** The cookie as a browser sends it back: `name=value`. */
const sendBack = (setCookie: string) => setCookie.split(';')[0]!;

async function page(cookie?: string): Promise<{ html: string; identity: { userId: string; traits: unknown; token: string } | undefined }> {
  const response = await fetch(`${site.url}/`, { headers: cookie ? { cookie } : {} });
  const html = await response.text();
  const json = html.match(/<script type="application\/json" id="sf-identity">([^<]*)<\/script>/)?.[1];
  return { html, identity: json === undefined ? undefined : (JSON.parse(json) as { userId: string; traits: unknown; token: string }) };
}

describe('POST /api/sign-in', () => {
  it('answers the demo user and a token signed HS256 with the site\u2019s identity secret, for this user and this site, short-lived', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { status, body } = await signIn();
    const after = Math.floor(Date.now() / 1000);
    expect(status).toBe(200);
    expect(body['userId']).toBe(DEMO_USER.id);
    const { header, claims } = verifyHs256(String(body['token']), SECRET);
    expect(header['alg']).toBe('HS256');
    expect(claims.sub).toBe(DEMO_USER.id);
    expect(claims.aud).toBe(SITE_KEY);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(after);
    expect(claims.exp! - claims.iat!).toBeGreaterThan(0);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(SHORT_S);
  });

  it('signs nothing another secret would verify', async () => {
    const { body } = await signIn();
    expect(() => verifyHs256(String(body['token']), randomBytes(32).toString('base64url'))).toThrow(/signature/);
  });

  it('keeps the visitor signed in with an HttpOnly cookie', async () => {
    const { cookie } = await signIn();
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//i);
  });

  it('answers 503 naming SITE_IDENTITY_SECRET when the storefront has no identity secret, and sets no cookie', async () => {
    const { status, body, cookie } = await signIn(unconfigured.url);
    expect(status).toBe(503);
    expect(body).toMatchObject({ error: 'identity_not_configured', message: expect.stringContaining('SITE_IDENTITY_SECRET') });
    expect(cookie).toBeUndefined();
  });
});

describe('the page of a signed-in visitor', () => {
  it('renders who is signed in with a fresh token on each load, and a sign-out button', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 0, 10, 9, 0, 0) });
    const { cookie } = await signIn();
    vi.setSystemTime(Date.UTC(2026, 0, 10, 11, 0, 0));
    const { html, identity } = await page(sendBack(cookie!));
    expect(identity).toMatchObject({ userId: DEMO_USER.id, traits: DEMO_USER.traits });
    const { claims } = verifyHs256(identity!.token, SECRET);
    // Signed at this load, two hours after the sign-in, so not expired when the page uses it.
    expect(claims.iat).toBe(Date.UTC(2026, 0, 10, 11, 0, 0) / 1000);
    expect(claims.exp).toBeGreaterThan(claims.iat!);
    expect(claims).toMatchObject({ sub: DEMO_USER.id, aud: SITE_KEY });
    expect(html).toContain('data-action="sign-out"');
    expect(html).not.toContain('data-action="sign-in"');
  });

  it('is a signed-out page without the cookie, or with one naming no demo account', async () => {
    for (const cookie of [undefined, 'demo_user=someone-else']) {
      const { html, identity } = await page(cookie);
      expect(identity).toBeUndefined();
      expect(html).toContain('data-action="sign-in"');
      expect(html).not.toMatch(/\{\{\w+\}\}/);
    }
  });
});

describe('POST /api/sign-out', () => {
  it('deletes the cookie, and the next page is signed out', async () => {
    const { cookie } = await signIn();
    expect((await page(sendBack(cookie!))).identity).toBeDefined();
    const response = await fetch(`${site.url}/api/sign-out`, { method: 'POST', headers: { cookie: sendBack(cookie!) } });
    expect(response.status).toBe(200);
    const cleared = response.headers.getSetCookie().find((c) => c.startsWith('demo_user='));
    expect(cleared).toMatch(/Max-Age=0/i);
    // What the browser holds now: the cleared value.
    expect((await page(sendBack(cleared!))).identity).toBeUndefined();
  });
});

describe('renderIdentity', () => {
  it('writes values that contain markup so that they cannot end the script element', () => {
    const html = renderIdentity({ userId: 'u</script><script>alert(1)</script>', traits: { plan: '<b>' }, token: 'a.b.c' });
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    const json = html.replace(/^<script[^>]*>/, '').replace(/<\/script>$/, '');
    expect(JSON.parse(json)).toEqual({ userId: 'u</script><script>alert(1)</script>', traits: { plan: '<b>' }, token: 'a.b.c' });
  });
});
