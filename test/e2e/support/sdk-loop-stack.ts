/**
 * What the SDK's delivery tests run against: the whole loop. Kafka, Redis, the
 * collector and the pipeline (infra's startStack, on free ports), the real
 * edge in workerd in front of that collector and the test shop's page server
 * (sdk-edge.ts), and a reader of `sf.events` from the start. What the SDK sent
 * is counted where it lands (support/downstream.ts), not at a stub.
 */
import { downstream, type Downstream } from './downstream.js';
import { SDK_SITE_KEY, startSdkEdge, type SdkEdge } from './sdk-edge.js';
import { startTestStack, type TestStack } from './stack.js';
import { TopicReader } from './topic-reader.js';
import { useStackWithChromium, type WithChromium } from './with-chromium.js';

export interface SdkLoopStack {
  stack: TestStack;
  edgeUrl: string;
  /** Where the test shop is served (an origin the edge allows). */
  pageOrigin: string;
  siteKey: string;
  /** `sf.events` as read so far, and the downstream ledger over it. */
  downstream: Downstream;
  /** Stops everything by its handle; the folder (every part's log) is kept when `keepDir`. */
  close(keepDir?: boolean): Promise<void>;
}

export async function startSdkLoopStack(): Promise<SdkLoopStack> {
  const stack = await startTestStack(['collector', 'pipeline'], { siteKey: SDK_SITE_KEY });
  let reader: TopicReader | undefined;
  let edge: SdkEdge | undefined;
  const close = async (keepDir = false): Promise<void> => {
    await edge?.close();
    await reader?.close();
    await stack.close(keepDir);
  };
  try {
    reader = await TopicReader.open(stack.kafkaBrokers, `${stack.topicPrefix}.events`);
    edge = await startSdkEdge({ collectorUrl: stack.collectorUrl!, secrets: stack.secrets, withReadSecret: true, dir: stack.dir });
    return {
      stack,
      edgeUrl: edge.edgeUrl,
      pageOrigin: edge.pageOrigin,
      siteKey: edge.siteKey,
      downstream: downstream(reader, {
        kafkaBrokers: stack.kafkaBrokers,
        topicPrefix: stack.topicPrefix,
        redisUrl: stack.redisUrl!,
        collectorUrl: stack.collectorUrl!,
        readSecret: stack.secrets.read,
      }),
      close,
    };
  } catch (err) {
    await close(true);
    throw err;
  }
}

/** The loop and one Chromium for a test file (with-chromium.ts). */
export function useSdkLoopStack(): WithChromium<SdkLoopStack> {
  return useStackWithChromium(startSdkLoopStack);
}
