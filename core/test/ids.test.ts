import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalRef, deviceRef, fromKeyPart, keyPart, parseProfileRef, userRef } from '../src/index.js';

describe('keyPart', () => {
  it('leaves the ids the SDK makes as they are', () => {
    expect(keyPart('0f3a9c1e2b7d4f6a8c0e1b3d5f7a9c1e')).toBe('0f3a9c1e2b7d4f6a8c0e1b3d5f7a9c1e');
    expect(keyPart('user-42@example.com')).toBe('user-42@example.com');
  });

  it('escapes what structures a key: the separator, hash tags and its own escape', () => {
    expect(keyPart('X:affinities')).toBe('X%3Aaffinities');
    expect(keyPart('{sf.events:7}')).toBe('%7Bsf.events%3A7%7D');
    expect(keyPart('50%')).toBe('50%25');
    expect(keyPart('a b\n')).toBe('a%20b%0A');
    expect(keyPart('Küche')).toBe('K%C3%BCche');
  });

  it('is injective and reversible, and its output holds no : { } or whitespace', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), (a, b) => {
        const [ka, kb] = [keyPart(a), keyPart(b)];
        expect(ka).toMatch(/^[\x21-\x7e]*$/);
        expect(ka).not.toMatch(/[:{}]/);
        // Lone surrogates become U+FFFD on their way to UTF-8: compare what survives that.
        // Lone surrogates become U+FFFD on their way to UTF-8; compare what survives that.
        const wa = Buffer.from(a, 'utf8').toString('utf8');
        const wb = Buffer.from(b, 'utf8').toString('utf8');
        expect(fromKeyPart(ka)).toBe(wa);
        if (wa !== wb) expect(ka).not.toBe(kb);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('profile refs', () => {
  it('keeps user ids and anonymous ids in separate namespaces', () => {
    expect(userRef('abc12345')).toBe('u:abc12345');
    expect(deviceRef('abc12345')).toBe('a:abc12345');
    expect(canonicalRef(undefined, 'abc12345')).toBe('a:abc12345');
    expect(canonicalRef('ann', 'abc12345')).toBe('u:ann');
  });

  it('no user id names a key of another profile, whatever follows it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), fc.constantFrom(':affinities', ':sessions', ''), (a, b, suffix) => {
        fc.pre(a !== b && a.length > 0 && b.length > 0);
        // `profile:<ref>` of one id is never `profile:<ref>:<kind>` of another.
        expect(`profile:${userRef(a)}`).not.toBe(`profile:${userRef(b)}${suffix}`);
        expect(`profile:${userRef(a)}`).not.toBe(`profile:${deviceRef(a)}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a ref back, and refuses what is not one', () => {
    expect(parseProfileRef(userRef('X:affinities'))).toEqual({ kind: 'user', id: 'X:affinities' });
    expect(parseProfileRef(deviceRef('abc12345'))).toEqual({ kind: 'device', id: 'abc12345' });
    for (const bad of ['abc', 'u:', 'x:abc', 'u:a:b', 'u:%ZZ', 'u:%3a', 'u:%FF']) expect(parseProfileRef(bad)).toBeUndefined();
  });
});
