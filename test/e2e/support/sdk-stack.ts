/**
 * What an SDK test runs against: the real edge in workerd and the test shop's
 * page server (sdk-edge.ts), the edge relaying to a stub collector. No Kafka:
 * what the SDK sent is read where the edge relays it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSecrets, type LocalSecrets } from '@sessionflow/infra';
import { SDK_SITE_KEY, startSdkEdge, type SdkEdge } from './sdk-edge.js';
import { startStubCollector, type StubCollector } from './stub-collector.js';
import { useStackWithChromium, type WithChromium } from './with-chromium.js';

export interface SdkStack {
  edgeUrl: string;
  /** Where the test shop is served (an origin the edge allows). */
  pageOrigin: string;
  siteKey: string;
  /** The edge's secrets, new for each stack; `secrets.sites[siteKey].identity` signs identity tokens. */
  secrets: LocalSecrets;
  collector: StubCollector;
  dir: string;
  /** Stops everything by its handle; the folder (edge log) is kept when `keepDir`. */
  close(keepDir?: boolean): Promise<void>;
}

export async function startSdkStack(): Promise<SdkStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sessionflow-sdk-e2e-'));
  const secrets = generateSecrets([SDK_SITE_KEY]);
  let edge: SdkEdge | undefined;
  let collector: StubCollector | undefined;
  const close = async (keepDir = false): Promise<void> => {
    await edge?.close();
    await collector?.close();
    if (keepDir) process.stderr.write(`[sdk-stack] edge log kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    collector = await startStubCollector();
    edge = await startSdkEdge({ collectorUrl: collector.url, secrets, dir });
    return { edgeUrl: edge.edgeUrl, pageOrigin: edge.pageOrigin, siteKey: edge.siteKey, secrets, collector, dir, close };
  } catch (err) {
    await close(true);
    throw err;
  }
}

/** One stub-collector stack and one Chromium for a test file (with-chromium.ts). */
export function useSdkStack(): WithChromium<SdkStack> {
  return useStackWithChromium(startSdkStack);
}
