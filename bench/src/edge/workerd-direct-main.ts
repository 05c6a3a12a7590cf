/**
 * The edge's built Worker (edge/dist/index.js, the bundle `wrangler deploy
 * --dry-run` makes) in workerd through Miniflare alone, with the bindings of
 * edge/wrangler.toml: the same runtime as `wrangler dev`, without its Node
 * proxy and second workerd in front. Run as its own process by the edge
 * suite so its CPU is counted apart. Env: PORT, COLLECTOR_URL,
 * RELAY_HMAC_SECRET, SITES, PERSIST_DIR.
 */
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { repoRoot } from '@sessionflow/infra';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

const edgeDir = path.join(repoRoot, 'edge');
const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(edgeDir, 'wrangler.toml'));
const persist = required('PERSIST_DIR');
const mf = new Miniflare({
  ...workerOptions,
  modules: true,
  scriptPath: path.join(edgeDir, 'dist', 'index.js'),
  bindings: {
    ...workerOptions.bindings,
    COLLECTOR_URL: required('COLLECTOR_URL'),
    RELAY_HMAC_SECRET: required('RELAY_HMAC_SECRET'),
    SITES: required('SITES'),
  },
  host: '127.0.0.1',
  port: Number(required('PORT')),
  durableObjectsPersist: path.join(persist, 'do'),
  kvPersist: path.join(persist, 'kv'),
});
const url = await mf.ready;
console.log(`workerd (Miniflare, no dev proxy) ready on ${url.href}`);
const stop = (): void => {
  mf.dispose().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
