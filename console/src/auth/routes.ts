/**
 * Login with the collector's admin secret, and the guard in front of everything else. The session
 * cookie is signed (a per-process key), HttpOnly, SameSite=Strict, Secure over https; its value is
 * a random id the server keeps (login-sessions.ts), so a logout ends it.
 */
import { randomBytes } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { loginPage } from '../pages/login.js';
import { LoginSessions } from './login-sessions.js';
import { sameSecret } from './secret-compare.js';

export const SESSION_COOKIE = 'sf_console_session';

export interface LoginOptions {
  adminSecret: string;
  sessionHours: number;
  now?: () => number;
}

/** Paths served without a login: the login itself, the static assets, the liveness probe. */
const OPEN = [/^\/login$/, /^\/assets\//, /^\/healthz$/];

export function addLogin(app: Hono, opts: LoginOptions): void {
  const sessions = new LoginSessions(opts.sessionHours * 3_600_000, opts.now);
  const cookieKey = randomBytes(32);
  const current = async (c: Context): Promise<string | false | undefined> => getSignedCookie(c, cookieKey, SESSION_COOKIE);

  const guard: MiddlewareHandler = async (c, next) => {
    if (OPEN.some((open) => open.test(c.req.path))) return next();
    if (sessions.valid(await current(c))) return next();
    const wantsPage = c.req.method === 'GET' && !c.req.path.startsWith('/live') && !c.req.path.startsWith('/api/');
    if (wantsPage) return c.redirect(`/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ''))}`, 303);
    return c.json({ error: 'unauthorized', message: 'log in to the console first (POST /login with the admin secret)' }, 401);
  };
  app.use('*', guard);

  app.get('/login', (c) => c.html(loginPage({ next: safeNext(c.req.query('next')) })));

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const secret = typeof form['secret'] === 'string' ? form['secret'] : '';
    const next = safeNext(typeof form['next'] === 'string' ? form['next'] : undefined);
    if (!sameSecret(secret, opts.adminSecret)) {
      return c.html(loginPage({ next, error: secret === '' ? 'Enter the admin secret.' : 'That is not the admin secret.' }), 401);
    }
    await setSignedCookie(c, SESSION_COOKIE, sessions.start(), cookieKey, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: new URL(c.req.url).protocol === 'https:',
      path: '/',
      maxAge: opts.sessionHours * 3600,
    });
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    sessions.end(await current(c));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
}

/** Only a path of this console: never `//host` or an absolute URL (no open redirect). */
export function safeNext(next: string | undefined): string {
  if (next === undefined || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
