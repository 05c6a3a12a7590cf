/**
 * The other SDKs, measured the same way as ours: the build a site loads with
 * a script tag, as their npm packages ship it, gzip -9. Each entry says which
 * file that is and what it leaves out, so the comparison stays honest.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { installedPackage } from './files.js';
import { gzipBytes, minifyScript } from './size.js';

export interface Peer {
  /** The figure's name: `peer.<name>.gzip_bytes`. */
  name: string;
  pkg: string;
  /** The script-tag (IIFE/UMD) build, inside the package. */
  file: string;
  /** The package ships this build unminified: minify it with our own settings first. */
  minify?: boolean;
  /** What the measured file does not hold (loaded later at run time, or a separate package). */
  leavesOut?: string;
  /** Whether the file fetches further code at run time, so its size is a lower bound. */
  lazyLoads: boolean;
}

export const peers: readonly Peer[] = [
  {
    name: 'snowplow',
    pkg: '@snowplow/browser-tracker',
    file: 'dist/index.umd.min.js',
    lazyLoads: false,
    leavesOut: 'link-click and element (impression) tracking, which are separate plugin packages',
  },
  {
    name: 'segment',
    pkg: '@segment/analytics-next',
    file: 'dist/umd/standalone.js',
    lazyLoads: true,
    leavesOut: 'the chunks it fetches at run time (dist/umd/*.bundle.*.js: destinations, middleware) and the destinations\' own scripts',
  },
  {
    name: 'posthog',
    pkg: 'posthog-js',
    file: 'dist/array.js',
    lazyLoads: true,
    leavesOut: 'the extensions it fetches at run time (session recorder, surveys, toolbar, web vitals…); dist/array.full.js bundles them',
  },
  {
    name: 'rudderstack',
    pkg: '@rudderstack/analytics-js',
    file: 'dist/npm/modern/umd/index.js',
    minify: true,
    lazyLoads: true,
    leavesOut: 'the plugins it fetches from its CDN at run time (module federation); dist/npm/modern/bundled/umd/index.js bundles them',
  },
];

export interface PeerSize {
  peer: Peer;
  version: string;
  /** The measured file, relative to node_modules. */
  file: string;
  rawBytes: number;
  minifiedBytes: number;
  gzipBytes: number;
}

export async function measurePeer(peer: Peer): Promise<PeerSize> {
  const { dir, version } = installedPackage(peer.pkg);
  const file = path.join(dir, peer.file);
  const raw = readFileSync(file);
  const code = peer.minify ? await minifyScript(file) : raw;
  return {
    peer,
    version,
    file: path.join(peer.pkg, peer.file),
    rawBytes: raw.length,
    minifiedBytes: Buffer.byteLength(code),
    gzipBytes: gzipBytes(code),
  };
}
