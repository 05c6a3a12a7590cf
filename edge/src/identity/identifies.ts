/**
 * The Worker's part of verified identity: each identify of a batch gets its
 * verdict here, where the site's secrets are, and loses its token, which
 * goes no further (not to the visitor object, not to the outbox, not to the
 * collector). The visitor object then applies the verdicts (apply.ts).
 */
import type { IdentityVerdict, SessionflowEvent } from '@sessionflow/core';
import type { SiteConfig } from '../config.js';
import { verifyIdentityToken } from './token.js';

export interface CheckedBatch {
  /** The events as they go on: identifies without their token. */
  events: SessionflowEvent[];
  /** The verdict of each identify, at its event's index (undefined for other events). */
  identities: (IdentityVerdict | undefined)[];
}

export async function checkIdentifies(events: readonly SessionflowEvent[], site: SiteConfig, options: { maxTtlS: number; nowMs: number }): Promise<CheckedBatch> {
  const verdicts = await Promise.all(events.map((event) => (event.type === 'identify' ? verdictOf(event, site, options) : undefined)));
  return { events: events.map(withoutToken), identities: verdicts };
}

async function verdictOf(event: Extract<SessionflowEvent, { type: 'identify' }>, site: SiteConfig, options: { maxTtlS: number; nowMs: number }): Promise<IdentityVerdict> {
  // Development only: the site said to take the browser's word.
  if (site.identity === 'client') return { verified: true, userId: event.userId };
  const secret = site.secrets.identity;
  if (secret === undefined) return { verified: false, reason: 'identity_not_configured' };
  if (event.token === undefined) return { verified: false, reason: 'token_missing' };
  return verifyIdentityToken({ token: event.token, userId: event.userId, siteKey: site.siteKey, secret, maxTtlS: options.maxTtlS, nowS: Math.floor(options.nowMs / 1000) });
}

function withoutToken(event: SessionflowEvent): SessionflowEvent {
  if (event.type !== 'identify' || !('token' in event)) return event;
  const { token: _dropped, ...rest } = event;
  return rest;
}
