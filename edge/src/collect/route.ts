/**
 * `POST /v1/collect?site=<siteKey>`: the browser's batch of events. Checks run
 * in the order of the wire contract (site key 401, origin 403, size 413, media
 * type 415, JSON 400, envelope 400); good events are relayed even when others
 * in the batch are rejected.
 */
import { Hono } from 'hono';
import { partitionEvents, validateCollectBatch, type Decision, type RejectedEvent } from '@sessionflow/core';
import { requireRelaySecret } from '../config.js';
import { EdgeError, errorBody } from '../errors.js';
import type { EdgeEnv } from '../hono-env.js';
import { relayEnvelope, relayToCollector } from '../relay/relay.js';
import { decideForVisitors, isObviousBot } from '../visitor/route-to-visitors.js';
import { checkMediaType, parseJsonBody, readBodyWithin } from './body.js';
import { collectCors } from './cors.js';
import { siteGuard } from './site-guard.js';

export interface CollectResponse {
  accepted: number;
  rejected: RejectedEvent[];
  /** Decisions for the page, from the visitor's Durable Object. */
  actions: Decision[];
}

/** What the SDK is told to wait after a failed relay: long enough for a collector restart. */
export const RELAY_RETRY_AFTER_S = 5;

export const collect = new Hono<EdgeEnv>();

collect.use('*', siteGuard, collectCors);

collect.post('/', async (c) => {
  const config = c.get('config');
  const site = c.get('site');
  const receivedAt = Date.now();

  const bytes = await readBodyWithin(c.req.raw, config.maxBodyBytes);
  checkMediaType(c.req.header('content-type'));
  const batch = validateCollectBatch(parseJsonBody(bytes));
  if (!batch.ok) {
    const first = batch.errors[0]!;
    return c.json(errorBody('invalid_batch', `${first.field}: ${first.reason}`, { errors: batch.errors }), 400);
  }

  const { accepted, rejected } = partitionEvents(batch.value.events);
  // The visitor's object first: a visitor over its rate limit has nothing relayed.
  const decision = await decideForVisitors(c.env, site.siteKey, accepted, receivedAt, isObviousBot(c.req.header('user-agent')));
  if (decision.limited) {
    throw new EdgeError(429, 'rate_limited', `this visitor sent more events than the edge takes in a while; retry after ${decision.retryAfterS} s`, {
      'Retry-After': String(decision.retryAfterS),
    });
  }
  if (accepted.length > 0) {
    const outcome = await relayToCollector(
      { collectorUrl: config.collectorUrl, secret: requireRelaySecret(config), timeoutMs: config.relayTimeoutMs },
      relayEnvelope(site.siteKey, accepted, receivedAt),
      { fetch: (input, init) => fetch(input, init), crypto: crypto.subtle, now: () => Date.now() },
    );
    if (!outcome.ok) {
      console.error(`relay to ${config.collectorUrl} failed: ${outcome.reason}`);
      throw new EdgeError(503, 'collector_unavailable', `the collector did not take the events (${outcome.reason}); retry later`, {
        'Retry-After': String(RELAY_RETRY_AFTER_S),
      });
    }
  }

  c.header('Cache-Control', 'no-store');
  return c.json({ accepted: accepted.length, rejected, actions: decision.actions } satisfies CollectResponse, 200);
});

collect.all('/', (c) => {
  c.header('Allow', 'POST, OPTIONS');
  return c.json(errorBody('method_not_allowed', `${c.req.method} is not supported on /v1/collect; use POST`), 405);
});
