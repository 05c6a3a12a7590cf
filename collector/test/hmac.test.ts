import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signRelay, verifyRelay, type HmacCrypto } from '@sessionflow/core';
import { nodeHmacCrypto } from '../src/ingest/hmac.js';

const web = webcrypto.subtle as unknown as HmacCrypto;
const encode = (s: string) => new TextEncoder().encode(s);
const NOW = 1_750_000_000_000;

describe('nodeHmacCrypto', () => {
  const node = nodeHmacCrypto();
  const secret = encode('shared-relay-secret');
  const body = encode('{"relayVersion":1,"events":[]}');

  it('makes the same signature as WebCrypto', async () => {
    expect(await signRelay(node, secret, body, NOW)).toBe(await signRelay(web, secret, body, NOW));
  });

  it('verifies what WebCrypto signed, and WebCrypto verifies what it signed', async () => {
    expect(await verifyRelay(node, secret, body, await signRelay(web, secret, body, NOW), NOW)).toEqual({ ok: true });
    expect(await verifyRelay(web, secret, body, await signRelay(node, secret, body, NOW), NOW)).toEqual({ ok: true });
  });

  it('refuses another secret, another body and a truncated MAC', async () => {
    const header = await signRelay(web, secret, body, NOW);
    expect((await verifyRelay(node, encode('other-secret'), body, header, NOW)).ok).toBe(false);
    expect((await verifyRelay(node, secret, encode('{"relayVersion":1,"events":[1]}'), header, NOW)).ok).toBe(false);
    const key = await node.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    expect(await node.verify('HMAC', key as never, new Uint8Array(16), body)).toBe(false);
  });

  it('keeps one key per secret', async () => {
    const a = await node.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    const b = await node.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    expect(a).toBe(b);
  });
});
