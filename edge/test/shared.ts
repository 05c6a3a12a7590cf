/**
 * What the Node side of the tests (vitest.config.ts, the stub collector) and
 * the Workers side share.
 */

/** The relay secret the Workers tests run with (bound in vitest.config.ts). */
export const TEST_RELAY_SECRET = 'edge-test-relay-secret';

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
