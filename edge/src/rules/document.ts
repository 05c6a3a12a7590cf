/**
 * A rules document as it is stored: JSON text. Shared by the Worker's store and
 * the `rules:validate` / `rules:push` scripts, so both refuse exactly the same
 * documents with the same words.
 */
import { parseRules, type ParsedRules, type RulesError } from '@sessionflow/core';

/** The KV key holding the rules document. */
export const RULES_KEY = 'rules';

/** Text that is not JSON is refused like any other bad document: with a path and a reason. */
export function rulesFromText(text: string): ParsedRules {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [{ path: '(document)', reason: `is not JSON (${err instanceof Error ? err.message : String(err)})` }] };
  }
  return parseRules(input);
}

/** The `version` a document says it is, even a refused one, so a log line can name what was refused. */
export function claimedVersion(text: string): string | undefined {
  try {
    const input: unknown = JSON.parse(text);
    if (input !== null && typeof input === 'object' && 'version' in input && typeof input.version === 'string') return input.version;
  } catch {
    // Not JSON: it claims nothing.
  }
  return undefined;
}

export function describeRulesError(error: RulesError): string {
  return `${error.path}: ${error.reason}`;
}
