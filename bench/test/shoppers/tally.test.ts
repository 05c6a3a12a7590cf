import { describe, expect, it } from 'vitest';
import { ABSENT, createTally, recordAnswer, recordOffered } from '../../src/shoppers/tally.js';
import type { CollectAnswer } from '../../src/shoppers/transport.js';

const answer = (over: Partial<CollectAnswer>): CollectAnswer => ({
  sentAt: 1000,
  latencyMs: 10,
  status: 200,
  level: undefined,
  levelReason: undefined,
  retryAfter: undefined,
  eventIds: [],
  anonymousId: undefined,
  acceptedIds: [],
  actions: 0,
  identity: undefined,
  ...over,
});

describe('tally', () => {
  it('counts each accepted id once, in the phase that first accepted it, and resends apart', () => {
    const t = createTally(0, 'steady');
    recordOffered(t, 3);
    recordAnswer(t, answer({ status: 503, retryAfter: '5', eventIds: ['a', 'b'] }), 'steady');
    recordAnswer(t, answer({ eventIds: ['a', 'b'], acceptedIds: ['a', 'b'] }), 'steady');
    recordAnswer(t, answer({ eventIds: ['b', 'c'], acceptedIds: ['b', 'c'] }), 'spike');
    expect(t.accepted.size).toBe(3);
    expect(t.phases.get('steady')).toMatchObject({ offered: 3, accepted: 2, requests: 2, byStatus: { '503': 1, '200': 1 }, retryAfter: { '5': 1 } });
    expect(t.phases.get('spike')).toMatchObject({ accepted: 1, requests: 1 });
    expect(t.resent).toBe(3);
  });

  it('remembers which device each accepted id came from: whose visitor object holds it in the edge', () => {
    const t = createTally(0, 'steady');
    recordAnswer(t, answer({ status: 503, eventIds: ['a'], anonymousId: 'dev-1' }), 'steady');
    recordAnswer(t, answer({ eventIds: ['a', 'b'], acceptedIds: ['a'], anonymousId: 'dev-1' }), 'steady');
    recordAnswer(t, answer({ eventIds: ['c'], acceptedIds: ['c'], anonymousId: 'dev-2' }), 'steady');
    expect([...t.acceptedBy]).toEqual([
      ['a', 'dev-1'],
      ['c', 'dev-2'],
    ]);
  });

  it('keeps latency, level and reason of 200 answers only, and the levels by second', () => {
    const t = createTally(0);
    recordAnswer(t, answer({ sentAt: 100, latencyMs: 20, level: 'popularity', levelReason: 'lag_s' }), 'spike');
    recordAnswer(t, answer({ sentAt: 1500, latencyMs: 30 }), 'spike');
    recordAnswer(t, answer({ status: 0, failure: 'timeout', latencyMs: 10_000 }), 'spike');
    const p = t.phases.get('spike')!;
    expect(p.okLatenciesMs).toEqual([20, 30]);
    expect(p.okByLevel).toEqual({ popularity: 1, [ABSENT]: 1 });
    expect(p.okByReason).toEqual({ lag_s: 1 });
    expect(p.byStatus).toEqual({ '200': 2, timeout: 1 });
    expect(t.levelsBySecond.get(0)).toEqual({ popularity: 1 });
    expect(t.levelsBySecond.get(1)).toEqual({ [ABSENT]: 1 });
  });
});
