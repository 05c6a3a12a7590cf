/**
 * `npm start`'s secrets, kept in `.run/secrets.json` (git ignores `.run/`;
 * readable by its owner only) so that a restart keeps the credentials a
 * person has already copied into a curl or a console, and generated there on
 * the first start.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { completeSecrets, type LocalSecrets } from './local-secrets.js';

export interface LoadedSecrets {
  secrets: LocalSecrets;
  /** The file was made now. */
  created: boolean;
  /** Fields generated now because the file lacked them (a scope or a site added since). */
  added: string[];
}

export function loadOrCreateSecrets(file: string, siteKeys: readonly string[]): LoadedSecrets {
  const created = !existsSync(file);
  let stored: unknown;
  if (!created) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: not JSON (${err instanceof Error ? err.message : String(err)}); delete it and npm start makes new secrets`);
    }
  }
  let completed: ReturnType<typeof completeSecrets>;
  try {
    completed = completeSecrets(stored, siteKeys);
  } catch (err) {
    throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}; fix it, or delete the file and npm start makes new secrets`);
  }
  if (created || completed.added.length > 0) writeSecretsFile(file, completed.secrets);
  return { secrets: completed.secrets, created, added: created ? [] : completed.added };
}

/** Written for its owner's eyes only. */
export function writeSecretsFile(file: string, secrets: LocalSecrets): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only to a file it creates.
  chmodSync(file, 0o600);
}
