/** Ids the SDK makes: anonymous ids, session ids, event ids, page view ids. */

/** The id shape core's schema accepts (8–64 of [A-Za-z0-9_.:-]); used to vet ids read back from storage. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{8,64}$/;

/**
 * 128 random bits as 32 hex digits. getRandomValues rather than randomUUID:
 * randomUUID exists only in secure contexts, and one path is smaller than two.
 */
export function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b | 256).toString(16).slice(1)).join('');
}
