/**
 * The per-site and per-client limits, on top of each visitor's own (the
 * visitor object's, visitor/rate-limit.ts): Cloudflare's rate-limiting
 * bindings (`[[ratelimits]]` in wrangler.toml, which miniflare runs locally),
 * keyed `<siteKey>` and `<siteKey>:<client IP>`. The bindings count per
 * Cloudflare location, not worldwide, and are meant to stop floods, not to
 * meter exactly. The site's own server (its secret, no Origin) counts against
 * the site only: it speaks for many visitors from one address.
 */
import type { EdgeBindings } from '../env.js';
import { EdgeError } from '../errors.js';

export interface LimitRequest {
  siteKey: string;
  caller: 'browser' | 'server';
  /** `CF-Connecting-IP`: set by Cloudflare (and by wrangler dev) on every request from outside. */
  clientIp: string | undefined;
  periodS: number;
}

export async function enforceSiteLimits(env: EdgeBindings, request: LimitRequest): Promise<void> {
  const checks: Promise<boolean>[] = [allowed('SITE_RATE_LIMIT', env.SITE_RATE_LIMIT, request.siteKey)];
  if (request.caller === 'browser' && request.clientIp !== undefined && request.clientIp !== '') {
    checks.push(allowed('CLIENT_RATE_LIMIT', env.CLIENT_RATE_LIMIT, `${request.siteKey}:${request.clientIp}`));
  }
  const outcomes = await Promise.all(checks);
  if (outcomes.every(Boolean)) return;
  const which = outcomes[0] === false ? 'this site' : 'this client';
  throw new EdgeError(429, 'rate_limited', `${which} sent more requests than the edge takes in ${request.periodS} s; retry after ${request.periodS} s`, {
    'Retry-After': String(request.periodS),
  });
}

let reported = new Set<string>();

/** A limiter that is not bound, or fails, lets the request through: a limit must never lose the data path. */
async function allowed(name: string, binding: RateLimit | undefined, key: string): Promise<boolean> {
  if (binding === undefined) return true;
  try {
    return (await binding.limit({ key })).success;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (!reported.has(name)) console.error(`${name}: the rate limiter failed, letting requests through (${reason})`);
    reported = new Set([...reported, name]);
    return true;
  }
}
