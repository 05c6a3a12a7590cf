/** The wrangler installed with the repo, run by this Node, in edge/ (where wrangler.toml is). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunWrangler } from './push.js';

/** edge/: the nearest directory above this file with a wrangler.toml (the script runs from edge/dist/node/...). */
function edgeDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'wrangler.toml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('rules:push: no wrangler.toml above the script');
    dir = parent;
  }
  return dir;
}

export const runWrangler: RunWrangler = (args) => {
  const bin = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: edgeDir(), stdio: 'inherit' });
    child.once('error', reject);
    // Killed by a signal: a failure all the same.
    child.once('exit', (code) => resolvePromise(code ?? 1));
  });
};
