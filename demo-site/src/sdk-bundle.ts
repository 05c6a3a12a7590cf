/** Finds the SDK's script-tag build (sdk/dist/sessionflow.min.js), which the storefront serves. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export class SdkNotBuiltError extends Error {
  constructor(path: string) {
    super(`The Sessionflow SDK bundle was not found at ${path}. Build it first: npm run build -w sdk`);
    this.name = 'SdkNotBuiltError';
  }
}

export function locateSdkBundle(explicit?: string): string {
  const path = explicit ?? fromPackage() ?? fileURLToPath(new URL('../../sdk/dist/sessionflow.min.js', import.meta.url));
  if (!existsSync(path)) throw new SdkNotBuiltError(path);
  return path;
}

function fromPackage(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('@sessionflow/sdk/sessionflow.min.js');
  } catch {
    // Not installed as a package (or not built): fall back to the workspace layout.
    return undefined;
  }
}
