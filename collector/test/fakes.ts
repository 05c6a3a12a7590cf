/** Fakes for the collector's I/O edges: a record sink, a readiness probe, a signer, sample events. */
import { webcrypto } from 'node:crypto';
import { signRelay, SIGNATURE_HEADER, type HmacCrypto } from '@sessionflow/core';
import type { OutboundRecord, RecordSink } from '../src/ingest/sink.js';
import type { Readiness, ReadinessProbe } from '../src/kafka/readiness.js';

export const crypto = webcrypto.subtle as unknown as HmacCrypto;
export const SECRET = 'test-relay-secret';
/** The bearer secrets of the other scopes (auth/scopes.ts), each its own. */
export const CATALOG_SECRET = 'test-catalog-secret';
export const ADMIN_SECRET = 'test-admin-secret';
export const NOW = 1_750_000_000_000;

/** Records what it is handed; fails when told to. */
export class FakeSink implements RecordSink {
  readonly calls: OutboundRecord[][] = [];
  failWith: Error | null = null;

  get records(): OutboundRecord[] {
    return this.calls.flat();
  }

  enqueue(records: readonly OutboundRecord[]): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.calls.push([...records]);
    return Promise.resolve();
  }
}

export class FakeProbe implements ReadinessProbe {
  state: Readiness | undefined = { ready: true, checkedAt: NOW };
  checks = 0;

  check(): Promise<Readiness> {
    this.checks++;
    return Promise.resolve(this.state ?? { ready: false, reason: 'never checked', checkedAt: NOW });
  }

  lastKnown(): Readiness | undefined {
    return this.state;
  }
}

export async function signedHeaders(body: string, secret = SECRET, atMs = NOW): Promise<Record<string, string>> {
  const signature = await signRelay(crypto, new TextEncoder().encode(secret), new TextEncoder().encode(body), atMs);
  return { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature };
}

let counter = 0;
function id(prefix: string): string {
  counter++;
  return `${prefix}-${String(counter).padStart(8, '0')}`;
}

export function pageView(anonymousId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    eventId: id('evt'),
    anonymousId,
    sessionId: 'session-0001',
    timestamp: NOW - 1000,
    page: { url: 'https://shop.example/products/42', referrer: '' },
    type: 'page_view',
    ...extra,
  };
}

export function click(anonymousId: string, productId: string): Record<string, unknown> {
  return {
    ...pageView(anonymousId),
    type: 'click',
    element: { tag: 'a', selector: 'a.product', text: 'Blue mug' },
    product: { id: productId, category: 'kitchen' },
  };
}

export function envelope(events: unknown[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { relayVersion: 1, siteKey: 'demo-site-key', receivedAt: NOW - 500, events, ...overrides };
}
