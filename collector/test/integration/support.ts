/** Real Kafka and Redis for the collector's integration tests, events to send, and the state to wait for. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startKafka, startRedis, waitUntil, type KafkaBroker, type RedisServer } from '@sessionflow/infra';
import { SCHEMA_VERSION, type SessionflowEvent } from '@sessionflow/core';
import { createLogger } from '../../src/log.js';
import { createStoreClient, type StoreClient } from '../../src/store/client.js';

export interface Infra {
  dir: string;
  kafka: KafkaBroker;
  redis: RedisServer;
  stop(): Promise<void>;
}

export async function startInfra(): Promise<Infra> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-collector-it-'));
  const kafka = await startKafka({ dir: path.join(dir, 'kafka'), port: await freePort(), controllerPort: await freePort(), heap: '384m' });
  let redis: RedisServer;
  try {
    redis = await startRedis({ dir: path.join(dir, 'redis'), port: await freePort() });
  } catch (error) {
    await kafka.stop();
    throw error;
  }
  return {
    dir,
    kafka,
    redis,
    async stop() {
      await Promise.allSettled([redis.stop(), kafka.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestRedis = StoreClient;

export async function connectRedis(url: string): Promise<TestRedis> {
  const client = createStoreClient(url, createLogger('error', () => undefined));
  await client.connect();
  return client;
}

/** Polls until `probe` holds; the deadline only bounds a test that would otherwise hang. */
export function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: 100 });
}

export interface Visitor {
  anonymousId: string;
  sessionId: string;
}

export function newVisitor(): Visitor {
  return { anonymousId: `anon-${randomUUID()}`, sessionId: `session-${randomUUID()}` };
}

function base(visitor: Visitor, at: number) {
  return {
    schemaVersion: SCHEMA_VERSION,
    eventId: `evt-${randomUUID()}`,
    anonymousId: visitor.anonymousId,
    sessionId: visitor.sessionId,
    timestamp: at,
    page: { url: 'https://shop.example/', referrer: '' },
  };
}

export function productClick(visitor: Visitor, productId: string, category: string, at = Date.now()): SessionflowEvent {
  return { ...base(visitor, at), type: 'click', element: { tag: 'article' }, product: { id: productId, category } };
}

export function addToCart(visitor: Visitor, productId: string, at = Date.now()): SessionflowEvent {
  return { ...base(visitor, at), type: 'track', name: 'add_to_cart', props: { productId } };
}

export function pageView(visitor: Visitor, at = Date.now()): SessionflowEvent {
  return { ...base(visitor, at), type: 'page_view' };
}
