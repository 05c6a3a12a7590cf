/**
 * The traffic source of a session, from its landing page view: the
 * `utm_source` of the landing URL (the source part of core's campaign,
 * session/campaign.ts), else the referring site's host, else `direct` (typed
 * URLs, bookmarks, and a referrer on the shop's own host: a session that
 * began on an internal link after the inactivity gap). Reduced to a short
 * lowercase token, because it becomes part of Redis keys and hash fields.
 */
import type { Page } from '@sessionflow/core';

export const DIRECT = 'direct';
/** For events of a session whose landing page view was not seen (yet). */
export const UNKNOWN_SOURCE = 'unknown';

export function trafficSource(page: Page): string {
  const landing = urlOf(page.url);
  const utm = landing?.searchParams.get('utm_source')?.trim();
  if (utm) return token(utm);
  const referrer = page.referrer ? urlOf(page.referrer) : undefined;
  if (referrer && referrer.hostname !== landing?.hostname) return token(referrer.hostname.replace(/^www\./, ''));
  return DIRECT;
}

function urlOf(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

function token(raw: string): string {
  const cleaned = raw.toLowerCase().replace(/[^a-z0-9._-]+/g, '_').slice(0, 64);
  return cleaned.replace(/_/g, '').length === 0 ? UNKNOWN_SOURCE : cleaned;
}
