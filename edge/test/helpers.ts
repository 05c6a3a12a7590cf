/**
 * Calling the Worker from inside workerd, and reading what the stub collector
 * (test/node/collector-stub.ts) received.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { inject } from 'vitest';
import type { EdgeBindings } from '../src/env.js';
import worker from '../src/index.js';
import type { RecordedRead, RecordedRelay } from './shared.js';

export const EDGE = 'http://edge.test';
export const SITE_KEY = 'demo-site-key';
export const ALLOWED_ORIGIN = 'http://localhost:8080';

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
