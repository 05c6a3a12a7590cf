/**
 * verifyIdentityToken on its own: each way a token can be wrong has its
 * reason, and only a token of this site, for this user, short-lived and
 * current verifies.
 */
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { verifyIdentityToken, type TokenCheck } from '../src/identity/token.js';

const SECRET = 'identity-secret-of-the-token-tests-32b';
const SITE = 'shop';
const USER = 'user-1234';
const now = () => Math.floor(Date.now() / 1000);

async function check(payload: Record<string, unknown>, overrides: Partial<TokenCheck> & { signedWith?: string } = {}, alg: 'HS256' | 'HS512' = 'HS256') {
  const { signedWith, ...checkOverrides } = overrides;
  const token = await sign(payload, signedWith ?? SECRET, alg);
  return verifyIdentityToken({ token, userId: USER, siteKey: SITE, secret: SECRET, maxTtlS: 86_400, nowS: now(), ...checkOverrides });
}

const good = () => ({ sub: USER, aud: SITE, exp: now() + 600, iat: now() });

/** A compact JWT of the given parts, base64url-encoded, with the given signature part. */
const compact = (header: object, payload: object, signature = '') =>
  [header, payload].map((part) => btoa(JSON.stringify(part)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')).join('.') + `.${signature}`;

describe('verifyIdentityToken', () => {
  it('verifies a token of this site for this user', async () => {
    expect(await check(good())).toEqual({ verified: true, userId: USER });
  });

  it('takes an audience list that holds the site key', async () => {
    expect(await check({ ...good(), aud: ['other', SITE] })).toEqual({ verified: true, userId: USER });
  });

  it('allows a minute of clock skew on nbf and iat', async () => {
    expect(await check({ ...good(), nbf: now() + 30, iat: now() + 30 })).toEqual({ verified: true, userId: USER });
  });

  it.each([
    ['signed with another secret', () => check(good(), { signedWith: 'another-secret-of-another-site-32bytes' }), 'token_invalid'],
    ['signed with HS512', () => check(good(), {}, 'HS512'), 'token_invalid'],
    ['for another user', () => check({ ...good(), sub: 'user-9999' }), 'token_subject'],
    ['without a subject', () => check({ aud: SITE, exp: now() + 600 }), 'token_subject'],
    ['for another site', () => check({ ...good(), aud: 'other-site' }), 'token_audience'],
    ['without an audience', () => check({ sub: USER, exp: now() + 600 }), 'token_audience'],
    ['expired', () => check({ ...good(), exp: now() - 1 }), 'token_expired'],
    ['without exp', () => check({ sub: USER, aud: SITE }), 'token_expired'],
    ['valid for longer than the cap', () => check({ ...good(), exp: now() + 86_400 + 120 }), 'token_lifetime'],
    ['valid for longer than a smaller cap', () => check({ ...good(), exp: now() + 601 }, { maxTtlS: 300 }), 'token_lifetime'],
    ['not valid before two minutes from now', () => check({ ...good(), nbf: now() + 120 }), 'token_not_yet_valid'],
    ['issued two minutes from now', () => check({ ...good(), iat: now() + 120 }), 'token_not_yet_valid'],
    ['with a string iat', () => check({ ...good(), iat: 'yesterday' }), 'token_not_yet_valid'],
  ])('refuses a token %s', async (_name, run, reason) => {
    expect(await run()).toEqual({ verified: false, reason });
  });

  it.each([
    ['alg none, unsigned', compact({ alg: 'none', typ: 'JWT' }, good()), 'token_invalid'],
    ['claims right but the signature made up', compact({ alg: 'HS256', typ: 'JWT' }, good(), 'c2lnbmF0dXJl'), 'token_invalid'],
    ['a null payload', `${compact({ alg: 'HS256', typ: 'JWT' }, {}).split('.')[0]}.bnVsbA.c2ln`, 'token_invalid'],
    ['garbage', 'a.b.c', 'token_invalid'],
    ['a payload that is a list (so no aud)', compact({ alg: 'HS256', typ: 'JWT' }, [1, 2]), 'token_audience'],
  ])('refuses %s, never throwing', async (_name, token, reason) => {
    const verdict = await verifyIdentityToken({ token, userId: USER, siteKey: SITE, secret: SECRET, maxTtlS: 86_400, nowS: now() });
    expect(verdict).toEqual({ verified: false, reason });
  });
});
