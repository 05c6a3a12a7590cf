/**
 * An identify token: a JWT the site's own server signs (HS256, the site's
 * identity secret) to say who is signed in. hono's `verify` checks the
 * signature, the algorithm, `exp` and `aud`; this adds what it leaves to the
 * caller: `exp` is required and short-lived, `sub` is the user identified as,
 * and `nbf`/`iat` may run a minute ahead of our clock (hono allows no skew,
 * so those two are checked here instead).
 */
import type { IdentityRefusal, IdentityVerdict } from '@sessionflow/core';
import { verify } from 'hono/jwt';

/** How far a server's clock may run ahead of the edge's for `nbf` and `iat`. */
export const CLOCK_SKEW_S = 60;

export interface TokenCheck {
  token: string;
  /** The identify's userId: the token's `sub` must name it. */
  userId: string;
  /** The site key: the token's `aud` must be it (or hold it). */
  siteKey: string;
  secret: string;
  maxTtlS: number;
  nowS: number;
}

/** hono's error classes by name (they are not exported on a public path), as a refusal. */
const REFUSAL_OF_HONO_ERROR: Readonly<Record<string, IdentityRefusal>> = {
  JwtTokenExpired: 'token_expired',
  JwtTokenNotBefore: 'token_not_yet_valid',
  JwtTokenIssuedAt: 'token_not_yet_valid',
  JwtTokenAudience: 'token_audience',
  JwtPayloadRequiresAud: 'token_audience',
};

export async function verifyIdentityToken(check: TokenCheck): Promise<IdentityVerdict> {
  let payload: Record<string, unknown>;
  try {
    payload = await verify(check.token, check.secret, { alg: 'HS256', aud: check.siteKey, exp: true, nbf: false, iat: false });
  } catch (error) {
    // Every other failure (not a JWT, another algorithm, a bad signature) is the same to the site: not its token.
    const name = error instanceof Error ? error.name : '';
    return refused(REFUSAL_OF_HONO_ERROR[name] ?? 'token_invalid');
  }
  const { exp, nbf, iat, sub } = payload;
  if (typeof exp !== 'number') return refused('token_expired');
  if (exp - check.nowS > check.maxTtlS) return refused('token_lifetime');
  for (const claim of [nbf, iat]) {
    if (claim === undefined) continue;
    if (typeof claim !== 'number' || !Number.isFinite(claim) || claim > check.nowS + CLOCK_SKEW_S) return refused('token_not_yet_valid');
  }
  if (sub !== check.userId) return refused('token_subject');
  return { verified: true, userId: check.userId };
}

const refused = (reason: IdentityRefusal): IdentityVerdict => ({ verified: false, reason });
