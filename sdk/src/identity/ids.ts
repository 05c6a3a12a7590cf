/** Ids the SDK makes: anonymous ids, session ids, event ids, page view ids. */

/** The id shape core's schema accepts (8–64 of [A-Za-z0-9_.:-]); used to vet ids read back from storage. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{8,64}$/;

/** Random words drawn 16 ids at a time: every event needs an id, and each getRandomValues call costs. */
const pool = new Uint32Array(64);
let next = pool.length;

/**
 * 128 random bits as 32 hex digits. getRandomValues rather than randomUUID:
 * randomUUID exists only in secure contexts, and one path is smaller than two.
 */
export function randomId(): string {
  if (next >= pool.length) {
    crypto.getRandomValues(pool);
    next = 0;
  }
  let id = '';
  for (const end = next + 4; next < end; ) id += (pool[next++]! + 2 ** 32).toString(16).slice(1);
  return id;
}
