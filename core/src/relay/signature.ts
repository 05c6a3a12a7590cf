/**
 * The relay signature: HMAC-SHA256 over `<timestamp>.<body>`, sent as
 * `x-sf-signature: t=<unix seconds>,v1=<hex>`. The timestamp inside the MAC
 * lets the collector refuse replays of old batches. The edge signs, the
 * collector verifies; both pass in their runtime's WebCrypto, so this file
 * stays free of globals.
 */

export const SIGNATURE_HEADER = 'x-sf-signature';
/** How far the signer's clock may be from the verifier's. */
export const SIGNATURE_TOLERANCE_S = 300;

/** The part of WebCrypto's SubtleCrypto this needs; `crypto.subtle` fits it in every runtime. */
export interface HmacCrypto {
  importKey(
    format: 'raw',
    keyData: Uint8Array,
    algorithm: { name: 'HMAC'; hash: 'SHA-256' },
    extractable: false,
    keyUsages: ('sign' | 'verify')[],
  ): Promise<unknown>;
  sign(algorithm: 'HMAC', key: never, data: Uint8Array): Promise<ArrayBuffer>;
  verify(algorithm: 'HMAC', key: never, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

function signedPayload(timestamp: number, body: Uint8Array): Uint8Array {
  const prefix = `${timestamp}.`;
  const out = new Uint8Array(prefix.length + body.length);
  for (let i = 0; i < prefix.length; i++) out[i] = prefix.charCodeAt(i);
  out.set(body, prefix.length);
  return out;
}

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  let hex = '';
  for (const b of new Uint8Array(bytes)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Imported keys, by runtime and then by usage and secret: a service signs with one secret, and importing it costs every batch otherwise. */
const imported = new WeakMap<HmacCrypto, Map<string, Promise<never>>>();
/** More secrets than any service holds at once (one per scope, and the next one while rotating): beyond, the oldest is dropped. */
const KEYS_KEPT = 8;

function importKey(crypto: HmacCrypto, secret: Uint8Array, usage: 'sign' | 'verify'): Promise<never> {
  let keys = imported.get(crypto);
  if (keys === undefined) imported.set(crypto, (keys = new Map()));
  const id = `${usage}:${toHex(secret)}`;
  let key = keys.get(id);
  if (key === undefined) {
    key = crypto.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]) as Promise<never>;
    // A failed import is not kept: the next call tries again.
    key.catch(() => keys.delete(id));
    if (keys.size >= KEYS_KEPT) keys.delete(keys.keys().next().value!);
    keys.set(id, key);
  }
  return key;
}

/** Returns the header value for `body`, signed at `nowMs`. */
export async function signRelay(crypto: HmacCrypto, secret: Uint8Array, body: Uint8Array, nowMs: number): Promise<string> {
  const timestamp = Math.floor(nowMs / 1000);
  const key = await importKey(crypto, secret, 'sign');
  const mac = await crypto.sign('HMAC', key, signedPayload(timestamp, body));
  return `t=${timestamp},v1=${toHex(mac)}`;
}

/** Checks a header value against `body`; the MAC comparison is WebCrypto's own (constant time). */
export async function verifyRelay(
  crypto: HmacCrypto,
  secret: Uint8Array,
  body: Uint8Array,
  header: string | null | undefined,
  nowMs: number,
): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const parts = new Map<string, string>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const t = Number(parts.get('t'));
  const mac = fromHex(parts.get('v1') ?? '');
  if (!Number.isInteger(t) || !mac || mac.length !== 32) {
    return { ok: false, reason: `malformed ${SIGNATURE_HEADER} header (expected t=<unix seconds>,v1=<hex sha256>)` };
  }
  if (Math.abs(nowMs / 1000 - t) > SIGNATURE_TOLERANCE_S) {
    return { ok: false, reason: `signature timestamp outside ±${SIGNATURE_TOLERANCE_S}s of the collector's clock` };
  }
  const key = await importKey(crypto, secret, 'verify');
  const valid = await crypto.verify('HMAC', key, mac, signedPayload(t, body));
  return valid ? { ok: true } : { ok: false, reason: 'signature does not match the body' };
}
