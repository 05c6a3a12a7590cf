/**
 * The SDK's own delivery code, run in Node: the load generator sends through
 * `createBatcher` from sdk/src/delivery/batcher.ts (batching window and size,
 * one send at a time, retry after `Retry-After` on any failed answer, the
 * jittered exponential backoff otherwise, what counts as refused for good) over
 * the SDK's memory queue and its own default settings, so every change to the
 * SDK's delivery is the load generator's at the next run.
 *
 * The SDK's package exports only its browser API, and its build is one bundle;
 * so the delivery modules are bundled from the SDK's sources at start-up (esbuild,
 * a few milliseconds) into a module of the run's own, with the SDK's debug
 * logging compiled out as in its script-tag build. What is used from it is typed
 * from the SDK's emitted declarations (sdk/dist), so a change of signature
 * fails the bench's build rather than its run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { repoRoot } from '@sessionflow/infra';
import type { createBatcher } from '../../../sdk/dist/delivery/batcher.js';
import type { memoryQueue } from '../../../sdk/dist/queue/memory-queue.js';

export type { Batcher, VisitorEvent } from '../../../sdk/dist/delivery/batcher.js';
export type { Transport, TransportResponse } from '../../../sdk/dist/transport/transport.js';

export interface SdkDelivery {
  createBatcher: typeof createBatcher;
  memoryQueue: typeof memoryQueue;
  /** The SDK's defaults (sdk/src/config.ts): what a site gets from `init` without options. */
  defaults: { maxBatch: number; flushIntervalMs: number; requestTimeoutMs: number };
}

const ENTRY = `
export { createBatcher } from './delivery/batcher.ts';
export { memoryQueue } from './queue/memory-queue.ts';
export { DEFAULT_MAX_BATCH, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './config.ts';
`;

export async function loadSdkDelivery(sdkSources = path.join(repoRoot, 'sdk', 'src')): Promise<SdkDelivery> {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: sdkSources, loader: 'ts', sourcefile: 'sdk-delivery-entry.ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    define: { __SF_DEBUG__: 'false' },
    // Type-only imports of core vanish; anything else of it is core's own build.
    external: ['@sessionflow/core'],
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-sdk-delivery-'));
  try {
    const file = path.join(dir, 'sdk-delivery.mjs');
    writeFileSync(file, bundle.outputFiles[0]!.text);
    const m = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const name of ['createBatcher', 'memoryQueue']) {
      if (typeof m[name] !== 'function') throw new Error(`sdk/src: the bundled delivery code has no function ${name}`);
    }
    for (const name of ['DEFAULT_MAX_BATCH', 'DEFAULT_FLUSH_INTERVAL_MS', 'DEFAULT_REQUEST_TIMEOUT_MS']) {
      if (typeof m[name] !== 'number') throw new Error(`sdk/src/config.ts: ${name} is not a number in the bundled code`);
    }
    return {
      createBatcher: m.createBatcher as typeof createBatcher,
      memoryQueue: m.memoryQueue as typeof memoryQueue,
      defaults: { maxBatch: m.DEFAULT_MAX_BATCH as number, flushIntervalMs: m.DEFAULT_FLUSH_INTERVAL_MS as number, requestTimeoutMs: m.DEFAULT_REQUEST_TIMEOUT_MS as number },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
