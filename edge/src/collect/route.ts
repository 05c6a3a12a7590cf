/**
 * `POST /v1/collect?site=<siteKey>`: the browser's batch of events. Checks run
 * in the order of the wire contract (site key 401, origin 401/403, size 413,
 * the site's and the client's limits 429, media type 415, JSON 400, envelope
 * and one visitor 400, the visitor's own limit 429); good events are relayed even when others in the batch are
 * rejected. Identifies are verified here, where the site's secrets are, and
 * their tokens go no further.
 */
import { Hono } from 'hono';
import { deviceClassOf, partitionEvents, validateCollectBatch, type IdentityVerdict, type RejectedEvent } from '@sessionflow/core';
import { requireRelaySecret } from '../config.js';
import { EdgeError, errorBody } from '../errors.js';
import type { EdgeEnv } from '../hono-env.js';
import { checkIdentifies } from '../identity/identifies.js';
import { enforceSiteLimits } from '../limits/site-limits.js';
import { BUSY_RETRY_AFTER_S, collectsInFlight } from '../limits/in-flight.js';
import { relayEnvelope, relayToCollector } from '../relay/relay.js';
import { isObviousBot, visitVisitor } from '../visitor/route-to-visitors.js';
import type { EdgeAction } from '../visitor/visitor-do.js';
import { checkMediaType, parseJsonBody, readBodyWithin } from './body.js';
import { collectCors } from './cors.js';
import { LEVEL_HEADER, LEVEL_REASON_HEADER } from './level-headers.js';
import { secondVisitor } from './one-visitor.js';
import { siteGuard } from './site-guard.js';

export interface CollectResponse {
  accepted: number;
  rejected: RejectedEvent[];
  /** Decisions for the page, from the visitor's Durable Object. */
  actions: EdgeAction[];
  /** What became of an identify in the batch, or of a user id an event claimed (core's IdentityVerdict). */
  identity?: IdentityVerdict;
}

/** How many of the visitor's batches wait for the collector (0 when all were relayed). */
export const OUTBOX_DEPTH_HEADER = 'x-sf-outbox-depth';

/** What the SDK is told to wait after a failed relay: long enough for a collector restart. */
export const RELAY_RETRY_AFTER_S = 5;

export const collect = new Hono<EdgeEnv>();

collect.use('*', siteGuard, collectCors);

// The gate before any visitor object is touched (limits/in-flight.ts); the body is read first all the same (below).
collect.post('/', async (c, next) => {
  const config = c.get('config');
  if (!collectsInFlight.enter(config.collectMaxInFlight)) {
    await readBodyWithin(c.req.raw, config.maxBodyBytes).catch(() => undefined);
    throw new EdgeError(503, 'edge_busy', `the edge is working on ${config.collectMaxInFlight} requests already (COLLECT_MAX_IN_FLIGHT); retry after ${BUSY_RETRY_AFTER_S} s`, {
      'Retry-After': String(BUSY_RETRY_AFTER_S),
    });
  }
  try {
    await next();
  } finally {
    collectsInFlight.leave();
  }
});

collect.post('/', async (c) => {
  const config = c.get('config');
  const site = c.get('site');
  const receivedAt = Date.now();

  // The body is read (within its limit) before any answer: local workerd breaks the connection behind a request answered before its body was consumed.
  const bytes = await readBodyWithin(c.req.raw, config.maxBodyBytes);
  await enforceSiteLimits(c.env, { siteKey: site.siteKey, caller: c.get('caller'), clientIp: c.req.header('cf-connecting-ip'), periodS: config.rateLimitPeriodS });
  checkMediaType(c.req.header('content-type'));
  const batch = validateCollectBatch(parseJsonBody(bytes));
  if (!batch.ok) {
    const first = batch.errors[0]!;
    return c.json(errorBody('invalid_batch', `${first.field}: ${first.reason}`, { errors: batch.errors }), 400);
  }
  const mixed = secondVisitor(batch.value.events);
  if (mixed !== undefined) return c.json(errorBody('invalid_batch', `${mixed.field}: ${mixed.reason}`, { errors: [mixed] }), 400);

  const { accepted, rejected } = partitionEvents(batch.value.events);
  const checked = await checkIdentifies(accepted, site, { maxTtlS: config.identityTokenMaxTtlS, nowMs: receivedAt });
  // The visitor's object takes the events into its outbox (relayed in order, kept until the collector has them) and decides.
  const relay = { siteKey: site.siteKey, collectorUrl: config.collectorUrl, timeoutMs: config.relayTimeoutMs };
  requireRelaySecret(config);
  const userAgent = c.req.header('user-agent');
  const device = deviceClassOf(userAgent);
  const anonymousId = accepted[0]?.anonymousId ?? '';
  const visited = await visitVisitor(c.env, anonymousId, checked, { receivedAt, relay, bot: isObviousBot(userAgent), device, degrade: config.degradePolicy });
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
  // No level when no object decided (none bound, or it failed): nothing was decided at any level.
  if (visited.level !== undefined) c.header(LEVEL_HEADER, visited.level);
  if (visited.levelReason !== undefined) c.header(LEVEL_REASON_HEADER, visited.levelReason);
  const body: CollectResponse = { accepted: accepted.length, rejected, actions: visited.actions };
  if (visited.identity !== undefined) body.identity = visited.identity;
  return c.json(body, 200);
});

collect.all('/', (c) => {
  c.header('Allow', 'POST, OPTIONS');
  return c.json(errorBody('method_not_allowed', `${c.req.method} is not supported on /v1/collect; use POST`), 405);
});
