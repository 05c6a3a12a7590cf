import { describe, expect, it } from 'vitest';
import { rotation } from '../../src/sdk/page-cost/rotation.js';

describe('rotation', () => {
  it('loads each install once a round, each round starting one further on', () => {
    expect(rotation(['none', 'ours', 'peer'], 4)).toEqual(['none', 'ours', 'peer', 'ours', 'peer', 'none', 'peer', 'none', 'ours', 'none', 'ours', 'peer']);
  });

  it('gives every install the same number of loads', () => {
    const order = rotation(['a', 'b', 'c', 'd', 'e', 'f'], 30);
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) expect(order.filter((n) => n === name)).toHaveLength(30);
  });

  it('refuses a number of rounds that is not a whole number', () => {
    expect(() => rotation(['a'], 2.5)).toThrow(/rounds/);
    expect(() => rotation(['a'], -1)).toThrow(/rounds/);
  });
});
