import { describe, expect, it } from 'vitest';
import { SENDER_LOCK, senderLock } from '../src/delivery/sender-lock.js';
import { fakeLocks } from './fakes.js';

describe('senderLock', () => {
  it('lets one tab send while the other is told the lock is busy, then the other may', async () => {
    const { locks, names } = fakeLocks();
    const tabA = senderLock(locks);
    const tabB = senderLock(locks);
    let release: () => void = () => {};
    const sending = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    const a = tabA(async () => {
      sent.push('a');
      await sending;
    });
    expect(await tabB(async () => void sent.push('b'))).toBe(false);
    release();
    expect(await a).toBe(true);
    expect(await tabB(async () => void sent.push('b'))).toBe(true);
    expect(sent).toEqual(['a', 'b']);
    expect(new Set(names)).toEqual(new Set([SENDER_LOCK]));
  });

  it('sends without a lock where the Web Locks API is missing', async () => {
    let sent = 0;
    expect(await senderLock(undefined)(async () => void sent++)).toBe(true);
    expect(sent).toBe(1);
  });
});
