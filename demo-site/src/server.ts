/**
 * The demo storefront server: a shop of about 200 products whose pages load the
 * Sessionflow SDK by script tag, and the same shop as a single-page app under
 * `/app` that bundles the SDK from npm, both pointed at the edge given here.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createDemoApp } from './app.js';
import { locateSdkBundle } from './sdk-bundle.js';

export { CATALOG_SIZE, CLASSICS, PRODUCTS, productById, type Product, type ProductCategory } from './catalog/products.js';
export { CATEGORIES } from './catalog/categories.js';
export { productPath, categoryPath } from './storefront/paths.js';
export { createDemoApp, type DemoAppOptions } from './app.js';
export { SdkNotBuiltError } from './sdk-bundle.js';
export { DEMO_USER } from './account/demo-user.js';
export { IDENTITY_TOKEN_TTL_S, issueIdentityToken } from './account/identity-token.js';

export interface DemoSiteOptions {
  /** 0 picks a free port (default 8080). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The edge's base URL the SDK sends events to, e.g. http://127.0.0.1:8787. */
  edgeUrl: string;
  siteKey: string;
  /** Where the SDK's IIFE is; defaults to the built @sessionflow/sdk. */
  sdkFile?: string;
  /** The site's identity secret (`SITE_IDENTITY_SECRET`); without it nobody can sign in. */
  identitySecret?: string | undefined;
}

export interface DemoSite {
  /** e.g. http://127.0.0.1:8080, with the real port when 0 was asked for. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
/** The single-page app's build (`npm run build` writes it; git ignores it). */
export const APP_DIR = fileURLToPath(new URL('../dist/app/', import.meta.url));

export function startDemoSite(options: DemoSiteOptions): Promise<DemoSite> {
  const host = options.host ?? '127.0.0.1';
  const app = createDemoApp({
    edgeUrl: options.edgeUrl,
    siteKey: options.siteKey,
    sdkFile: locateSdkBundle(options.sdkFile),
    publicDir: PUBLIC_DIR,
    appDir: APP_DIR,
    identitySecret: options.identitySecret,
  });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 8080, hostname: host }, (info: AddressInfo) => {
      server.off('error', reject);
      resolve({
        url: `http://${urlHost(host)}:${info.port}`,
        port: info.port,
        close: () => closeServer(server as Server),
      });
    });
    server.once('error', reject);
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Browsers hold keep-alive connections open; without this, close waits for them.
    server.closeAllConnections();
  });
}
