import { afterEach, describe, expect, it, vi } from 'vitest';
import { soon } from '../src/delivery/soon.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('soon', () => {
  it('posts a user-blocking task where the Prioritized Task Scheduling API exists, and no timer', async () => {
    const posted: { priority: string }[] = [];
    vi.stubGlobal('scheduler', {
      postTask: (task: () => unknown, options: { priority: string }) => (posted.push(options), Promise.resolve().then(task)),
    });
    vi.useFakeTimers();
    const ran = vi.fn();
    soon(ran);
    expect(ran).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    await Promise.resolve();
    await Promise.resolve();
    expect(ran).toHaveBeenCalledTimes(1);
    expect(posted).toEqual([{ priority: 'user-blocking' }]);
  });

  it('falls back to a timer, in a task of its own', async () => {
    vi.stubGlobal('scheduler', undefined);
    vi.useFakeTimers();
    const ran = vi.fn();
    soon(ran);
    await Promise.resolve();
    expect(ran).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(ran).toHaveBeenCalledTimes(1);
  });
});
