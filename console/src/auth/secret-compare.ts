/** Compares a presented secret with the expected one in constant time (both hashed first, so lengths never leak). */
import { createHash, timingSafeEqual } from 'node:crypto';

export function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && presented.length > 0;
}
