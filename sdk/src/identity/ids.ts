/** Ids the SDK makes: anonymous ids, session ids, event ids, page view ids. */

/** The id shape core's schema accepts (8–64 of [A-Za-z0-9_.:-]); used to vet ids read back from storage. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{8,64}$/;

/**
 * A random UUID. `crypto.randomUUID` exists only in secure contexts (https,
 * localhost), so plain-http pages get a v4 UUID built from getRandomValues.
 */
export function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
