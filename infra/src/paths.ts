/** Where the local stack keeps its files: all under the repository, all ignored by git. */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (infra/dist/paths.js → ../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Downloaded artifacts that survive between runs (Kafka's jars). */
export const cacheDir = path.join(repoRoot, '.cache');

/** State and logs of `npm start`. */
export const runDir = path.join(repoRoot, '.run');
