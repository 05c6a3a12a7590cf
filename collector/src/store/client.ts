/**
 * The node-redis client of the online store. Commands fail at once while the
 * connection is down (no offline queue) and after `commandTimeoutMs`, so a read
 * answers 503 quickly instead of hanging, and the pipeline's batch fails and is
 * retried by the consumer. The client reconnects by itself; connection errors
 * are logged when the state changes, not on every retry.
 */
import { createClient } from 'redis';
import type { Logger } from '../log.js';

export type StoreClient = ReturnType<typeof newClient>;

export interface StoreClientOptions {
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export function createStoreClient(url: string, logger: Logger, options: StoreClientOptions = {}): StoreClient {
  const client = newClient(url, options);
  watchConnection(client, url, logger);
  return client;
}

function newClient(url: string, options: StoreClientOptions) {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 2_000 },
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 1_000,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000),
    },
  });
}

function watchConnection(client: StoreClient, url: string, logger: Logger): void {
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
