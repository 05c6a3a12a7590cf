/**
 * `POST /v1/collect?site=<siteKey>`: the browser's batch of events. Checks run
 * in the order of the wire contract (site key 401, origin 403, size 413, media
 * type 415, JSON 400, envelope 400); good events are relayed even when others
 * in the batch are rejected.
 */
import { Hono } from 'hono';
import { deviceClassOf, partitionEvents, validateCollectBatch, type RejectedEvent } from '@sessionflow/core';
import { requireRelaySecret } from '../config.js';
import { EdgeError, errorBody } from '../errors.js';
import type { EdgeEnv } from '../hono-env.js';
import { relayEnvelope, relayToCollector } from '../relay/relay.js';
import { isObviousBot, visitAll } from '../visitor/route-to-visitors.js';
import type { EdgeAction } from '../visitor/visitor-do.js';
import { checkMediaType, parseJsonBody, readBodyWithin } from './body.js';
import { collectCors } from './cors.js';
import { siteGuard } from './site-guard.js';

export interface CollectResponse {
  accepted: number;
  rejected: RejectedEvent[];
  /** Decisions for the page, from the visitor's Durable Object. */
  actions: EdgeAction[];
}

/** How many of the visitor's batches wait for the collector (0 when all were relayed). */
export const OUTBOX_DEPTH_HEADER = 'x-sf-outbox-depth';

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
  // Each visitor's object takes its events into its outbox (relayed in order, kept until the collector has them) and decides.
  const relay = { siteKey: site.siteKey, collectorUrl: config.collectorUrl, timeoutMs: config.relayTimeoutMs };
  requireRelaySecret(config);
  const userAgent = c.req.header('user-agent');
  const device = deviceClassOf(userAgent);
  const visited = await visitAll(c.env, accepted, { receivedAt, relay, bot: isObviousBot(userAgent), device });
  if (visited.kind === 'limited') {
    throw new EdgeError(429, 'rate_limited', `this visitor sent more events than the edge takes in a while; retry after ${visited.retryAfterS} s`, {
      'Retry-After': String(visited.retryAfterS),
    });
  }
  if (visited.kind === 'outbox_full') {
    throw new EdgeError(503, 'collector_unavailable', 'the collector has not taken this visitor\'s earlier events for a while; retry later', {
      'Retry-After': String(RELAY_RETRY_AFTER_S),
    });
  }
  if (visited.direct.length > 0) {
    // No visitor object took these (none bound, or it failed): relay them now, as the only copy.
    const outcome = await relayToCollector(
      { ...relay, secret: requireRelaySecret(config) },
      relayEnvelope(site.siteKey, visited.direct, receivedAt, device),
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
  c.header(OUTBOX_DEPTH_HEADER, String(visited.outboxDepth));
  return c.json({ accepted: accepted.length, rejected, actions: visited.actions } satisfies CollectResponse, 200);
});

collect.all('/', (c) => {
  c.header('Allow', 'POST, OPTIONS');
  return c.json(errorBody('method_not_allowed', `${c.req.method} is not supported on /v1/collect; use POST`), 405);
});
