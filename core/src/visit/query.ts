/**
 * Reads a URL's query for `campaignOf` without a URL parser, which core's
 * runtime-free source does not have. Follows URLSearchParams on well-formed
 * queries (`+` is a space, the first of repeated names wins); a malformed
 * percent escape is kept as written instead of throwing.
 */
import type { QueryParams } from '../session/campaign.js';

export function queryOf(url: string): QueryParams {
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const start = beforeHash.indexOf('?');
  const query = start < 0 ? '' : beforeHash.slice(start + 1);
  const pairs = query.split('&').filter((part) => part !== '').map(splitPair);
  return { get: (name) => pairs.find(([key]) => key === name)?.[1] ?? null };
}

function splitPair(part: string): [string, string] {
  const eq = part.indexOf('=');
  return eq < 0 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))];
}

function decode(text: string): string {
  const spaced = text.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
