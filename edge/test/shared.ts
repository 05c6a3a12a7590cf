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
