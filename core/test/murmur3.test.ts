import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { murmur3_32 } from '../src/experiment/murmur3.js';
import { utf8Bytes } from '../src/experiment/utf8.js';
import cases from './cases/murmur3.json' with { type: 'json' };

interface Vector {
  name: string;
  hex?: string;
  text?: string;
  repeat?: number;
  seed: string;
  expected: string;
}

// Node's own UTF-8 encoder is the independent reference for the input bytes.
const bytesOf = ({ hex, text, repeat }: Vector): Uint8Array =>
  new Uint8Array(hex !== undefined ? Buffer.from(hex, 'hex') : Buffer.from((text ?? '').repeat(repeat ?? 1), 'utf8'));

describe('murmur3_32 (MurmurHash3 x86_32)', () => {
  it.each(cases.vectors as Vector[])('$name → $expected', (vector) => {
    expect(murmur3_32(bytesOf(vector), Number.parseInt(vector.seed, 16))).toBe(Number.parseInt(vector.expected, 16));
  });

  it("passes SMHasher's verification test (0xB0F57EE3)", () => {
    // SMHasher's VerificationTest: hash the keys {}, {0}, {0,1}, … {0..254} with seed 256 − length,
    // write the 256 results little-endian one after the other, hash that with seed 0.
    // 0xB0F57EE3 is the value SMHasher lists for MurmurHash3_x86_32.
    const key = new Uint8Array(256);
    const results = Buffer.alloc(256 * 4);
    for (let i = 0; i < 256; i += 1) {
      key[i] = i;
      results.writeUInt32LE(murmur3_32(key.subarray(0, i), 256 - i), i * 4);
    }
    expect(murmur3_32(new Uint8Array(results))).toBe(0xb0f57ee3);
  });
});

describe('utf8Bytes', () => {
  it.each([
    ['empty', ''],
    ['ASCII', 'unit-42:checkout'],
    ['two-byte characters', 'café π'],
    ['three-byte characters', '€ 日本'],
    ['a surrogate pair (four bytes)', 'clef 𝄞 end'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone high surrogate at the end', 'ab\ud83d'],
    ['a lone low surrogate', 'a\udc00b'],
    ['the edges of each length', '\u007f\u0080\u07ff\u0800\uffff\u{10000}\u{10ffff}'],
  ])('%s: the same bytes as Node', (_label, text) => {
    expect([...utf8Bytes(text)]).toEqual([...Buffer.from(text, 'utf8')]);
  });
});
