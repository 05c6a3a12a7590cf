import { describe, expect, it } from 'vitest';
import { arrivals } from '../src/pipeline/latency.js';

/** A store whose keys appear when the test sets them, counting the reads it answers. */
function fakeStore() {
  const values = new Map<string, string>();
  const reads: string[][] = [];
  let failWith: Error | undefined;
  return {
    values,
    reads,
    failNext: (error: Error) => (failWith = error),
    mGet: async (keys: readonly string[]) => {
      if (failWith) {
        const error = failWith;
        failWith = undefined;
        throw error;
      }
      reads.push([...keys]);
      return keys.map((k) => values.get(k) ?? null);
    },
  };
}

describe('arrivals', () => {
  it('reads every awaited key in one MGET, and resolves each once its key exists', async () => {
    const store = fakeStore();
    const watch = arrivals(store);
    try {
      const far = performance.now() + 60_000;
      const a = watch.until('seen:a', far);
      const b = watch.until('seen:b', far);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(store.reads.some((keys) => keys.length === 2 && keys.includes('seen:a') && keys.includes('seen:b'))).toBe(true);
      const before = performance.now();
      store.values.set('seen:a', '1');
      expect(await a).toBeGreaterThanOrEqual(before);
      store.values.set('seen:b', '1');
      expect(await b).toBeGreaterThanOrEqual(before);
      // Nothing awaited: no more reads.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const count = store.reads.length;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(store.reads.length).toBe(count);
    } finally {
      watch.stop();
    }
  });

  it('gives up on a key past its deadline', async () => {
    const watch = arrivals(fakeStore());
    try {
      expect(await watch.until('never', performance.now() - 1)).toBeUndefined();
    } finally {
      watch.stop();
    }
  });

  it('fails the keys awaited when the read fails, and goes on for later ones', async () => {
    const store = fakeStore();
    const watch = arrivals(store);
    try {
      store.failNext(new Error('The client is offline'));
      await expect(watch.until('k', performance.now() + 60_000)).rejects.toThrow('The client is offline');
      store.values.set('later', '1');
      expect(await watch.until('later', performance.now() + 60_000)).toBeTypeOf('number');
    } finally {
      watch.stop();
    }
  });
});
