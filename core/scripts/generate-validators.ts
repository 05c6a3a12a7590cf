/**
 * Writes the compiled checks of the event schema (scripts/event-validator)
 * into src/event/generated/, where the build and the tests find them. Run by
 * `npm run generate` before core's build, typecheck and tests.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_PATH, validatorsModule } from './event-validator/module.js';

// This file runs from dist/generate/scripts/: core is three folders up.
const core = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const target = path.join(core, GENERATED_PATH);
const text = validatorsModule();
let current: string | undefined;
try {
  current = readFileSync(target, 'utf8');
} catch {
  current = undefined;
}
// Left alone when unchanged, so watchers and incremental builds see nothing new.
if (current !== text) {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`core: wrote ${GENERATED_PATH}`);
}
