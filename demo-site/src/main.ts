#!/usr/bin/env node
/**
 * Runs the demo storefront: DEMO_PORT (8080), DEMO_HOST (127.0.0.1), EDGE_URL (http://127.0.0.1:8787),
 * SITE_KEY (demo-site-key), SITE_IDENTITY_SECRET (signs the identity tokens of sign-in; required
 * outside a local run); with COLLECTOR_URL and CATALOG_SECRET it also sends its catalog feed.
 */
import { PRODUCTS } from './catalog/products.js';
import { publishCatalog } from './catalog/publish.js';
import { readConfig } from './config.js';
import { startDemoSite } from './server.js';

try {
  const config = readConfig(process.env);
  for (const warning of config.warnings) console.warn(`demo-site: warning: ${warning}`);
  const site = await startDemoSite(config);
  console.log(`demo-site: storefront on ${site.url} (events to ${config.edgeUrl}, site key ${config.siteKey})`);
  if (config.collectorUrl !== undefined && config.catalogSecret !== undefined) {
    // The shop serves without it; recommendations then wait for a feed.
    publishCatalog({ collectorUrl: config.collectorUrl, secret: config.catalogSecret, products: PRODUCTS }).then(
      (n) => console.log(`demo-site: catalog of ${n} products sent to ${config.collectorUrl}`),
      (error: unknown) => console.error(`demo-site: ${error instanceof Error ? error.message : String(error)}`),
    );
  } else {
    console.log('demo-site: no COLLECTOR_URL / CATALOG_SECRET: catalog feed not sent');
  }
  const stop = () => {
    site.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(`demo-site: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
