/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain; SMHasher's reference
 * `MurmurHash3_x86_32`), written out here so the bucketing hash is the same
 * bytes-in, number-out function in the browser, in workerd and in Node, with
 * no runtime to lean on. Chosen over FNV-1a because its final mix spreads
 * every input bit over the high bits a bucket is read from: FNV-1a's last
 * step leaves the top byte tied to the last character, which is exactly where
 * sequential unit ids differ.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(k: number): number {
  let m = Math.imul(k, C1);
  m = (m << 15) | (m >>> 17);
  return Math.imul(m, C2);
}

/** The 32-bit hash of `bytes` with `seed`, as an unsigned integer (0 … 2³²−1). */
export function murmur3_32(bytes: Uint8Array, seed = 0): number {
  const length = bytes.length;
  const whole = length - (length & 3);
  let h = seed | 0;

  // Blocks are read little-endian, as on the x86 the reference was written for.
  for (let i = 0; i < whole; i += 4) {
    const k = (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
    h ^= mixBlock(k);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }

  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (bytes[whole + 2] ?? 0) << 16;
    if (tail >= 2) k ^= (bytes[whole + 1] ?? 0) << 8;
    k ^= bytes[whole] ?? 0;
    h ^= mixBlock(k);
  }

  // The reference mixes in the length as a 32-bit value; longer inputs wrap the same way.
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
