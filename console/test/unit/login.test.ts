import { describe, expect, it } from 'vitest';
import { safeNext } from '../../src/auth/routes.js';
import { consoleOverFake, login } from '../support/console-app.js';
import { ADMIN_SECRET, READ_SECRET } from '../support/fake-collector.js';

const PAGES = ['/', '/sessions', '/sessions/s-alpha', '/experiments', '/rules', '/health', '/people'];
const form = (secret: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
  body: new URLSearchParams({ secret, next: '/rules' }).toString(),
});

describe('login', () => {
  it.each(PAGES)('sends %s to the login without a session, remembering where it was going', async (page) => {
    const { app } = consoleOverFake();
    const res = await app.request(page);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(page)}`);
  });

  it('refuses the live stream and the people routes with 401 without a session', async () => {
    const { app } = consoleOverFake();
    for (const path of ['/live?feed=now', '/live?feed=session&id=s-alpha', '/api/people/user/user-42']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'unauthorized' });
    }
    const erase = await app.request('/api/people/user/user-42/erase', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(erase.status).toBe(401);
  });

  it('refuses a wrong secret, the read secret included, and sets no cookie', async () => {
    const { app } = consoleOverFake();
    for (const secret of ['nope', READ_SECRET, `${ADMIN_SECRET}x`, '']) {
      const res = await app.request('/login', form(secret));
      expect(res.status, secret).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.text()).toContain('data-testid="login-error"');
    }
  });

  it('lets the admin secret in with an HttpOnly, SameSite=Strict session cookie, and goes where it was going', async () => {
    const { app } = consoleOverFake();
    const res = await app.request('/login', form(ADMIN_SECRET));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/rules');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^sf_console_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const page = await app.request('/rules', { headers: { cookie: cookie.split(';')[0] as string } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-testid="rules-document"');
  });

  it('refuses a cookie whose signature does not match', async () => {
    const { app } = consoleOverFake();
    const cookie = await login(app);
    const [name, value] = cookie.split('=') as [string, string];
    const tampered = `${name}=${decodeURIComponent(value).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`;
    expect((await app.request('/', { headers: { cookie: tampered } })).status).toBe(303);
    // Another console's cookie (another signing key) is no key to this one.
    const other = consoleOverFake();
    expect((await other.app.request('/', { headers: { cookie } })).status).toBe(303);
  });

  it('ends the session at logout: the same cookie is refused afterwards', async () => {
    const { app } = consoleOverFake();
    const cookie = await login(app);
    expect((await app.request('/', { headers: { cookie } })).status).toBe(200);
    const out = await app.request('/logout', { method: 'POST', headers: { cookie, origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect((await app.request('/', { headers: { cookie } })).status).toBe(303);
  });

  it('refuses a login form posted from another origin', async () => {
    const { app } = consoleOverFake();
    const res = await app.request('/login', { ...form(ADMIN_SECRET), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('never hands the read or the admin secret to the browser', async () => {
    const { app } = consoleOverFake();
    const cookie = await login(app);
    for (const path of [...PAGES, '/assets/console.js', '/login']) {
      const text = await (await app.request(path, { headers: { cookie } })).text();
      expect(text, path).not.toContain(READ_SECRET);
      expect(text, path).not.toContain(ADMIN_SECRET);
    }
  });

  it('only follows a next that is a path of the console', () => {
    expect(safeNext('/sessions?x=1')).toBe('/sessions?x=1');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext(undefined)).toBe('/');
  });
});
