/** Where the measured files are: the SDK's build and the peers' packages in node_modules. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@sessionflow/infra';

export const sdkDist = path.join(repoRoot, 'sdk', 'dist');
/** The script-tag build. */
export const sdkIife = path.join(sdkDist, 'sessionflow.min.js');
/** The script tag's second file: the renderers of actions, which the script imports from beside itself when the first action arrives. */
export const sdkLazyChunk = path.join(sdkDist, 'sessionflow.act.js');
/** The ESM entry npm users import. */
export const sdkEsm = path.join(sdkDist, 'index.js');

/** Fails before anything starts when the SDK has not been built. */
export function requireSdkBuild(): void {
  const missing = [sdkIife, sdkLazyChunk, sdkEsm].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `the sdk suite measures the SDK's build, and ${missing.map((f) => path.relative(repoRoot, f)).join(' and ')} ` +
        `${missing.length === 1 ? 'is' : 'are'} missing: run \`npm run build\` (or \`npm run build -w sdk\`) first`,
    );
  }
}

/** An installed package's folder (bench's own node_modules first, then the hoisted root one) and version. */
export function installedPackage(name: string): { dir: string; version: string } {
  for (const base of [path.join(repoRoot, 'bench', 'node_modules'), path.join(repoRoot, 'node_modules')]) {
    const dir = path.join(base, ...name.split('/'));
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
      return { dir, version };
    }
  }
  throw new Error(`${name} is not installed: it is one of bench's devDependencies, run \`npm install\` at the repository root`);
}
