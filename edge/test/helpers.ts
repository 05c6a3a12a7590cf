/**
 * Calling the Worker from inside workerd, and reading what the stub collector
 * (test/node/collector-stub.ts) received.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { inject } from 'vitest';
import { sign } from 'hono/jwt';
import type { EdgeBindings } from '../src/env.js';
import worker from '../src/index.js';
import type { VisitorInspection } from '../src/visitor/visitor-do.js';
import { TEST_ADMIN_SECRET, TEST_SITE_SECRETS, type RecordedRead, type RecordedRelay } from './shared.js';

export const EDGE = 'http://edge.test';
export const SITE_KEY = 'demo-site-key';
export const ALLOWED_ORIGIN = 'http://localhost:8080';
export const SERVER_SECRET = TEST_SITE_SECRETS[SITE_KEY].server;
export const IDENTITY_SECRET = TEST_SITE_SECRETS[SITE_KEY].identity;

/** The header the site's own server sends. */
export const serverAuth = (secret: string = SERVER_SECRET): Record<string, string> => ({ authorization: `Bearer ${secret}` });

/** Runs the Worker's fetch handler with the wrangler.toml bindings, some replaced. */
export async function callEdge(request: Request, bindings: Partial<EdgeBindings> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export type ScenarioKind = 'ok' | 'fail' | 'hang' | 'down';

/** A fresh scenario on the stub collector: its own log, answered as `kind` says (`down` fails until `bringUp`). */
export function stubCollector(kind: ScenarioKind): {
  url: string;
  received: () => Promise<RecordedRelay[]>;
  bringUp: () => Promise<void>;
  /** Its ingest answers 503 with Retry-After from now on, until `bringUp`. */
  makeBusy: () => Promise<void>;
  /** What its read API answers from now on (see the stub's `ReadFixtures`). */
  serveReads: (fixtures: Record<string, unknown>) => Promise<void>;
  reads: () => Promise<RecordedRead[]>;
} {
  const scenario = `${kind}-${crypto.randomUUID()}`;
  const base = inject('collectorStubUrl');
  return {
    url: `${base}/${scenario}`,
    received: async () => (await fetch(`${base}/__received/${scenario}`)).json<RecordedRelay[]>(),
    bringUp: async () => void (await fetch(`${base}/__up/${scenario}`, { method: 'POST' })).body?.cancel(),
    makeBusy: async () => void (await fetch(`${base}/__busy/${scenario}`, { method: 'POST' })).body?.cancel(),
    serveReads: async (fixtures) => void (await fetch(`${base}/__reads/${scenario}`, { method: 'POST', body: JSON.stringify(fixtures) })).body?.cancel(),
    reads: async () => (await fetch(`${base}/__reads-log/${scenario}`)).json<RecordedRead[]>(),
  };
}

/** Polls `read` until `done` holds of its result (or fails after `timeoutMs`). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The events of every relay a scenario received, in arrival order. */
export function relayedEvents(relays: RecordedRelay[]): { eventId: string; anonymousId: string }[] {
  return relays.flatMap((relay) => (JSON.parse(new TextDecoder().decode(base64ToBytes(relay.bodyBase64))) as { events: { eventId: string; anonymousId: string }[] }).events);
}

export interface CollectOptions {
  site?: string | null;
  origin?: string | null;
  contentType?: string | null;
  headers?: Record<string, string>;
}

export function collectRequest(body: BodyInit | null, options: CollectOptions = {}): Request {
  const headers = new Headers(options.headers);
  const origin = options.origin === undefined ? ALLOWED_ORIGIN : options.origin;
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (origin !== null) headers.set('origin', origin);
  if (contentType !== null) headers.set('content-type', contentType);
  const site = options.site === undefined ? SITE_KEY : options.site;
  const query = site === null ? '' : `?site=${encodeURIComponent(site)}`;
  return new Request(`${EDGE}/v1/collect${query}`, { method: 'POST', headers, body });
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Claims of an identify token as the site's server signs them; `expInS` is from now (`null`: no exp). */
export interface TokenClaims {
  sub: string;
  aud?: string | string[];
  expInS?: number | null;
  nbfInS?: number;
  iatInS?: number;
}

/** An identify token: HS256 over the claims, signed with `secret` (the demo site's identity secret unless given). */
export async function identifyToken(claims: TokenClaims, secret: string = IDENTITY_SECRET): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { sub: claims.sub, aud: claims.aud ?? SITE_KEY };
  if (claims.expInS !== null) payload['exp'] = now + (claims.expInS ?? 600);
  if (claims.nbfInS !== undefined) payload['nbf'] = now + claims.nbfInS;
  if (claims.iatInS !== undefined) payload['iat'] = now + claims.iatInS;
  return sign(payload, secret, 'HS256');
}

/** A request to /v1/admin/*, with the admin secret unless `authorization` says otherwise (`null`: none). */
export function adminRequest(path: string, init: { method?: string; body?: unknown; authorization?: string | null } = {}): Request {
  const headers = new Headers();
  const authorization = init.authorization === undefined ? `Bearer ${TEST_ADMIN_SECRET}` : init.authorization;
  if (authorization !== null) headers.set('authorization', authorization);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return new Request(`${EDGE}/v1/admin${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
}

/** What the visitor's object stores, through the admin inspection. */
export async function inspectVisitor(anonymousId: string, site = SITE_KEY, bindings: Partial<EdgeBindings> = {}): Promise<VisitorInspection> {
  const res = await callEdge(adminRequest(`/visitors/${encodeURIComponent(anonymousId)}?site=${encodeURIComponent(site)}`), bindings);
  if (res.status !== 200) throw new Error(`inspection answered ${res.status}: ${await res.text()}`);
  return res.json<VisitorInspection>();
}

/** `GET /v1/decide` as the site's server asks it (its secret unless `headers` say otherwise). */
export function decideRequest(query: string, headers: Record<string, string> = serverAuth()): Request {
  return new Request(`${EDGE}/v1/decide?${query}`, { headers });
}
