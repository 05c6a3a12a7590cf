import { webcrypto, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signRelay, verifyRelay, type HmacCrypto } from '../src/index.js';

const subtle = webcrypto.subtle as unknown as HmacCrypto;
const enc = new TextEncoder();
const secret = enc.encode('test-secret');
const body = enc.encode('{"relayVersion":1,"events":[]}');
const now = 1_795_300_000_000;

describe('relay signature', () => {
  it('is HMAC-SHA256 over "<t>.<body>", checkable by any HMAC implementation', async () => {
    const header = await signRelay(subtle, secret, body, now);
    const t = Math.floor(now / 1000);
    const expected = createHmac('sha256', 'test-secret').update(`${t}.`).update(body).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies what it signed', async () => {
    const header = await signRelay(subtle, secret, body, now);
    expect(await verifyRelay(subtle, secret, body, header, now + 2000)).toEqual({ ok: true });
  });

  it.each([
    ['a changed body', async () => [enc.encode('{"relayVersion":1,"events":[1]}'), await signRelay(subtle, secret, body, now), now], /does not match/],
    ['another secret', async () => [body, await signRelay(subtle, enc.encode('other'), body, now), now], /does not match/],
    ['a missing header', async () => [body, undefined, now], /missing/],
    ['a malformed header', async () => [body, 'sha256=abc', now], /malformed/],
    ['a stale timestamp', async () => [body, await signRelay(subtle, secret, body, now - 10 * 60_000), now], /timestamp/],
  ] as const)('refuses %s', async (_name, make, reason) => {
    const [b, header, at] = (await make()) as [Uint8Array, string | undefined, number];
    const result = await verifyRelay(subtle, secret, b, header, at);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('imports a secret once per usage, and again for another secret', async () => {
    const imports: string[] = [];
    const counting: HmacCrypto = {
      importKey: (format, keyData, algorithm, extractable, usages) => {
        imports.push(`${usages.join()}:${new TextDecoder().decode(keyData)}`);
        return subtle.importKey(format, keyData, algorithm, extractable, usages);
      },
      sign: (algorithm, key, data) => subtle.sign(algorithm, key, data),
      verify: (algorithm, key, signature, data) => subtle.verify(algorithm, key, signature, data),
    };
    const first = await signRelay(counting, secret, body, now);
    // A secret equal in content, in another array (the edge derives it from its environment each time).
    expect(await signRelay(counting, enc.encode('test-secret'), body, now)).toBe(first);
    expect(await verifyRelay(counting, secret, body, first, now)).toEqual({ ok: true });
    expect(await verifyRelay(counting, secret, body, first, now)).toEqual({ ok: true });
    expect(await verifyRelay(counting, enc.encode('other'), body, first, now)).toEqual({ ok: false, reason: 'signature does not match the body' });
    expect(imports).toEqual(['sign:test-secret', 'verify:test-secret', 'verify:other']);
  });
});
