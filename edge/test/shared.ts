/**
 * What the Node side of the tests (vitest.config.ts, the stub collector) and
 * the Workers side share.
 */

/** The relay secret the Workers tests run with (bound in vitest.config.ts). */
export const TEST_RELAY_SECRET = 'edge-test-relay-secret';

/** The read secret the Workers tests run with. */
export const TEST_READ_SECRET = 'edge-test-read-secret';

/** One read (GET) the stub collector answered. */
export interface RecordedRead {
  path: string;
  query: Record<string, string>;
  authorization: string;
}

/** One request the stub collector received. */
export interface RecordedRelay {
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyBase64: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the stub collector, e.g. http://127.0.0.1:41234 */
    collectorStubUrl: string;
    /** A loopback URL where nothing listens. */
    deadCollectorUrl: string;
  }
}

/**
 * The demo site's secrets in the Workers tests (SITE_SECRETS, bound in
 * vitest.config.ts): test values, at least 32 bytes as the edge demands.
 */
export const TEST_SITE_SECRETS = {
  'demo-site-key': {
    identity: 'edge-test-identity-secret-of-the-demo-site',
    server: 'edge-test-server-secret-of-the-demo-site-0',
  },
} as const;

/** ADMIN_SECRET in the Workers tests. */
export const TEST_ADMIN_SECRET = 'edge-test-admin-secret-for-v1-admin-routes';

/** VISITOR_RETAIN_MS in the Workers tests: a minute after a session is over, its object goes. */
export const TEST_VISITOR_RETAIN_MS = 60_000;

/** The tight rate-limiting bindings a test swaps in for SITE_RATE_LIMIT / CLIENT_RATE_LIMIT (per 60 s). */
export const TIGHT_SITE_LIMIT = 4;
export const TIGHT_CLIENT_LIMIT = 3;
