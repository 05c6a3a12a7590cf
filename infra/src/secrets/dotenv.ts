/**
 * A dotenv file for `wrangler dev --env-file`: how the local edge gets its
 * secrets. wrangler binds what it reads there as secrets (not vars), and a
 * file in the stack's run folder, readable by its owner only, keeps them off
 * the command line, where every user of the machine could read them.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** `NAME='value'` lines; single quotes keep JSON values (SITE_SECRETS) literal. */
export function dotenv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`${name}: not an environment variable name`);
      if (/['\n\r]/.test(value)) throw new Error(`${name}: a value with a single quote or a line break cannot be written to a dotenv file`);
      return `${name}='${value}'\n`;
    })
    .join('');
}

export function writeDotenvFile(file: string, values: Record<string, string>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, dotenv(values), { mode: 0o600 });
  // The mode above applies only to a file written for the first time.
  chmodSync(file, 0o600);
}
