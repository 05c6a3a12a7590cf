import { describe, expect, it } from 'vitest';
import { coalescedSnapshots } from '../src/pipeline/coalesced-snapshots.js';

describe('coalescedSnapshots', () => {
  it('publishes one batch at a time, and the profiles changed meanwhile together, each once', async () => {
    const published: string[][] = [];
    let release: () => void = () => {};
    const snapshots = coalescedSnapshots(async (ids) => {
      published.push([...ids]);
      if (published.length === 1) await new Promise<void>((resolve) => (release = resolve));
    }, () => undefined);

    snapshots.changed(['a', 'b']);
    snapshots.changed(['b', 'c']);
    snapshots.changed(['c', 'd']);
    expect(published).toEqual([['a', 'b']]);
    release();
    await snapshots.flush();
    expect(published).toEqual([['a', 'b'], ['b', 'c', 'd']]);
  });

  it('goes on after a failed publication and tells of it', async () => {
    const errors: unknown[] = [];
    const published: string[][] = [];
    const snapshots = coalescedSnapshots(async (ids) => {
      published.push([...ids]);
      if (ids.includes('bad')) throw new Error('kafka down');
    }, (error) => errors.push(error));
    snapshots.changed(['bad']);
    snapshots.changed(['good']);
    await snapshots.flush();
    snapshots.changed([]);
    snapshots.changed(['later']);
    await snapshots.flush();
    expect(published).toEqual([['bad'], ['good'], ['later']]);
    expect(errors).toHaveLength(1);
  });
});
