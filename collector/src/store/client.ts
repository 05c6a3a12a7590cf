/**
 * The online store's client: one interface over a single Redis and a Redis
 * Cluster, so the pipeline, the read API and the erasure run one code path on
 * both (single.ts and cluster.ts are the two adapters).
 *
 * What the interface promises on both:
 * - Reads of several keys (`mGet`, `del`) may name keys of any slots: on a
 *   cluster they are grouped by slot, sent to each slot's master side by side,
 *   and answered in the order asked.
 * - A script runs with its keys declared (`runScript`), all of one slot: what
 *   a cluster requires, and what a test holds every caller to.
 * - Commands fail at once while the connection is down (no offline queue) and
 *   after `commandTimeoutMs`, so a read answers 503 quickly instead of
 *   hanging, and the pipeline's batch fails and is retried by the consumer.
 *   The client reconnects by itself; connection errors are logged when the
 *   state changes, not on every retry.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../log.js';
import { createClusterStore } from './cluster.js';
import { createDiscoveringStore } from './discover.js';
import { storeUrls } from './urls.js';

/** A Lua script with its SHA1, so it runs by EVALSHA and is loaded once per node. */
export interface StoreScript {
  readonly text: string;
  readonly sha: string;
}

/** A script ready for `runScript`: its text and SHA1. */
export function storeScript(text: string): StoreScript {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}

export interface ScoreRange {
  BY: 'SCORE';
  LIMIT?: { offset: number; count: number };
}

export interface StoreClient {
  /** A single Redis or a cluster: what /metrics and the logs say. */
  readonly kind: 'single' | 'cluster';
  readonly isReady: boolean;
  readonly isOpen: boolean;
  connect(): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
  /** A new client to the same store, with connections of its own (a long erasure must not queue behind the pipeline). */
  duplicate(): StoreClient;
  ping(): Promise<string>;

  get(key: string): Promise<string | null>;
  /** Keys of any slots; the values in the order of `keys`. */
  mGet(keys: readonly string[]): Promise<(string | null)[]>;
  hGet(key: string, field: string): Promise<string | null>;
  hmGet(key: string, fields: readonly string[]): Promise<(string | null)[]>;
  hGetAll(key: string): Promise<Record<string, string>>;
  hScan(key: string, cursor: string, count: number): Promise<{ cursor: string; entries: { field: string; value: string }[] }>;
  lRange(key: string, start: number, stop: number): Promise<string[]>;
  sMembers(key: string): Promise<string[]>;
  zRange(key: string, start: number | string, stop: number | string, options?: ScoreRange): Promise<string[]>;
  zRangeWithScores(key: string, start: number | string, stop: number | string, options?: ScoreRange | { REV: true }): Promise<{ value: string; score: number }[]>;
  /** Keys of one slot: the count of their union. */
  pfCount(keys: string | readonly string[]): Promise<number>;
  type(key: string): Promise<string>;
  getRange(key: string, start: number, end: number): Promise<string | null>;
  /** Keys of any slots; how many existed. */
  del(keys: readonly string[]): Promise<number>;
  /** Every key matching `match` on every master, a page at a time. */
  scan(match: string, count: number): AsyncIterable<string[]>;
  /** Runs `script` with its declared `keys` (one slot; at least one) and `args`; loads it on NOSCRIPT. */
  runScript(script: StoreScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
}

export interface StoreClientOptions {
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * A client of the store `url` names (what REDIS_URL says): several
 * comma-separated `redis://host:port` URLs are the root nodes of a Redis
 * Cluster; one URL is asked on `connect()` whether it runs in cluster mode
 * (`INFO cluster` answers `cluster_enabled:1`: a cluster rooted at it) or not
 * (a single Redis). Throws naming REDIS_URL when a part is not a redis:// URL.
 */
export function createStoreClient(url: string, logger: Logger, options: StoreClientOptions = {}): StoreClient {
  const urls = storeUrls(url);
  if (urls.length > 1) return createClusterStore(urls, logger, options);
  return createDiscoveringStore(urls[0]!, logger, options);
}

/** Logs a lost connection once, and its return. */
export function watchConnection(client: { on(event: 'error', listener: (error: unknown) => void): unknown; on(event: 'ready', listener: () => void): unknown }, url: string, logger: Logger): void {
  let down = false;
  client.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    logger.warn('Redis connection failed; reconnecting', { url: redacted(url), error });
  });
  client.on('ready', () => {
    if (down) logger.info('Redis connection is back', { url: redacted(url) });
    down = false;
  });
}

/** The URL without a password, for logs. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an unparsable URL';
  }
}

/** True when Redis answers PING now. */
export async function storeAnswers(client: StoreClient): Promise<boolean> {
  if (!client.isReady) return false;
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}

export function isNoScript(error: unknown): boolean {
  return String((error as Error)?.message ?? error).startsWith('NOSCRIPT');
}
