/**
 * The edge's built Worker (edge/dist/index.js, the bundle `wrangler deploy
 * --dry-run` makes) in workerd through Miniflare alone, with the bindings of
 * edge/wrangler.toml: the same runtime as `wrangler dev`, without its Node
 * proxy and second workerd in front. Run as its own process by the edge
 * suite so its CPU is counted apart. Beside it, in the same workerd, a bare
 * hono Worker on `/bench/bare` (bare-worker.ts): the floor the edge's CPU per
 * request is compared with. Env: PORT, COLLECTOR_URL, RELAY_HMAC_SECRET,
 * SITES, PERSIST_DIR; BENCH_EDGE_BUNDLE (another bundle of the edge, for an
 * A/B of two builds), BENCH_EDGE_INSPECTOR_PORT (workerd's V8 inspector, to
 * profile the Worker).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { repoRoot } from '@sessionflow/infra';
import { BARE_PATH } from './bare-path.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

/** The bare Worker, bundled with its hono as a deployed Worker would be. */
async function bareWorkerModule(): Promise<string> {
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL('./bare-worker.js', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  const file = bundled.outputFiles[0];
  if (file === undefined) throw new Error('esbuild gave no bundle for the bare Worker');
  return file.text;
}

const edgeDir = path.join(repoRoot, 'edge');
const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(edgeDir, 'wrangler.toml'));
const persist = required('PERSIST_DIR');
const inspectorPort = process.env.BENCH_EDGE_INSPECTOR_PORT;
const mf = new Miniflare({
  host: '127.0.0.1',
  port: Number(required('PORT')),
  durableObjectsPersist: path.join(persist, 'do'),
  kvPersist: path.join(persist, 'kv'),
  ...(inspectorPort !== undefined && inspectorPort !== '' ? { inspectorPort: Number(inspectorPort) } : {}),
  workers: [
    {
      ...workerOptions,
      // Its own name (wrangler.toml's), which its Durable Object bindings may name.
      name: workerOptions.name ?? 'edge',
      modules: true,
      scriptPath: process.env.BENCH_EDGE_BUNDLE || path.join(edgeDir, 'dist', 'index.js'),
      bindings: {
        ...workerOptions.bindings,
        COLLECTOR_URL: required('COLLECTOR_URL'),
        RELAY_HMAC_SECRET: required('RELAY_HMAC_SECRET'),
        SITES: required('SITES'),
      },
    },
    {
      name: 'bare',
      compatibilityDate: workerOptions.compatibilityDate,
      modules: [{ type: 'ESModule', path: 'bare-worker.mjs', contents: await bareWorkerModule() }],
      routes: [`*${BARE_PATH}`],
    },
  ],
});
const url = await mf.ready;
console.log(`workerd (Miniflare, no dev proxy) ready on ${url.href}, the bare route on ${BARE_PATH}`);
const stop = (): void => {
  mf.dispose().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
