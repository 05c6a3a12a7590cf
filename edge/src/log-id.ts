/**
 * How an anonymous id appears in a log line: never raw (DESIGN.md, erasure
 * reaches the logs too), as a short hash that lets lines of one visitor be
 * told apart. FNV-1a, 32 bits: for telling apart, not for keeping a secret;
 * user ids are never logged at all.
 */
export function logId(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `#${(hash >>> 0).toString(16).padStart(8, '0')}`;
}
