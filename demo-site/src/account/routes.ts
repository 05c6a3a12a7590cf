/**
 * Sign-in and sign-out of the demo account, and the identity a page renders
 * for a signed-in visitor. `POST /api/sign-in` remembers the visitor in a
 * cookie and answers `{ userId, token }`; every later page load renders a fresh
 * token, so the page re-identifies with one that has not expired.
 * `POST /api/sign-out` forgets the visitor (the page then calls `reset()`).
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { DEMO_USER, demoUserNamed, SESSION_COOKIE } from './demo-user.js';
import { issueIdentityToken } from './identity-token.js';

export interface SignedIn {
  userId: string;
  traits: Record<string, string>;
  token: string;
}

export interface AccountOptions {
  siteKey: string;
  /** Without it the storefront cannot vouch for anyone: sign-in answers 503 naming the variable. */
  identitySecret: string | undefined;
}

const THIRTY_DAYS_S = 30 * 24 * 3600;

/** The signed-in visitor of this request with a fresh token, or undefined. */
export async function signedIn(c: Context, options: AccountOptions): Promise<SignedIn | undefined> {
  const user = demoUserNamed(getCookie(c, SESSION_COOKIE));
  if (user === undefined || options.identitySecret === undefined) return undefined;
  const token = await issueIdentityToken({ userId: user.id, siteKey: options.siteKey, secret: options.identitySecret });
  return { userId: user.id, traits: { ...user.traits }, token };
}

export function mountAccount(app: Hono, options: AccountOptions): void {
  app.post('/api/sign-in', async (c) => {
    if (options.identitySecret === undefined) {
      return c.json(
        { error: 'identity_not_configured', message: 'SITE_IDENTITY_SECRET is not set: the storefront cannot sign identity tokens, so nobody can sign in' },
        503,
      );
    }
    setCookie(c, SESSION_COOKIE, DEMO_USER.id, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: new URL(c.req.url).protocol === 'https:',
      maxAge: THIRTY_DAYS_S,
    });
    const token = await issueIdentityToken({ userId: DEMO_USER.id, siteKey: options.siteKey, secret: options.identitySecret });
    c.header('Cache-Control', 'no-store');
    return c.json({ userId: DEMO_USER.id, traits: DEMO_USER.traits, token });
  });

  app.post('/api/sign-out', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ signedOut: true });
  });
}
