/**
 * What every SDK test puts in front of a collector: the real edge in workerd
 * (infra's startEdgeProcess, the same launcher the stack uses for its `edge`
 * part), relaying to `collectorUrl`, and the test shop's page server on an
 * origin the edge allows for the SDK's site key. sdk-stack.ts puts it in front
 * of a stub collector, sdk-loop-stack.ts in front of the whole loop.
 */
import path from 'node:path';
import { freePort, startEdgeProcess, type HttpService, type LocalSecrets } from '@sessionflow/infra';
import { startPageServer, type PageServer } from './sdk-page-server.js';

export const SDK_SITE_KEY = 'sdk-e2e-site-key';

export interface SdkEdgeOptions {
  collectorUrl: string;
  secrets: LocalSecrets;
  /** Give the edge the collector's read bearer (profile reads, the upstream level); not for a stub collector. */
  withReadSecret?: boolean;
  /** Holds the edge's storage (`wrangler/`) and its log (`logs/edge.log`). */
  dir: string;
}

export interface SdkEdge {
  edgeUrl: string;
  /** Where the test shop is served (an origin the edge allows). */
  pageOrigin: string;
  siteKey: string;
  /** Stops the edge and the page server by their handles. */
  close(): Promise<void>;
}

export async function startSdkEdge(o: SdkEdgeOptions): Promise<SdkEdge> {
  let pages: PageServer | undefined;
  let edge: HttpService | undefined;
  const close = async (): Promise<void> => {
    await edge?.stop();
    await pages?.close();
  };
  try {
    const edgePort = await freePort();
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    pages = await startPageServer({ siteKey: SDK_SITE_KEY, endpoint: () => edgeUrl });
    edge = await startEdgeProcess({
      port: edgePort,
      collectorUrl: o.collectorUrl,
      secret: o.secrets.relay,
      ...(o.withReadSecret === true ? { readSecret: o.secrets.read } : {}),
      adminSecret: o.secrets.edgeAdmin,
      sites: { [SDK_SITE_KEY]: { origins: [pages.origin] } },
      siteSecrets: o.secrets.sites,
      persistDir: path.join(o.dir, 'wrangler'),
      logFile: path.join(o.dir, 'logs', 'edge.log'),
    });
    return { edgeUrl, pageOrigin: pages.origin, siteKey: SDK_SITE_KEY, close };
  } catch (err) {
    await close();
    throw err;
  }
}
