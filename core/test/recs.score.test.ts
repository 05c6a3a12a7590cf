/**
 * Scoring cases whose expected rankings follow from the method's definition (see
 * src/recs/README.md), computed by hand: each case lists its training sessions, a prefix, the
 * options that differ from a plain V-SKNN (linear prefix weights, dot product, no decays, no
 * exclusion) and the ranking that definition gives.
 */
import { describe, expect, it } from 'vitest';
import {
  applyRecsChange,
  changeForSession,
  emptyRecsState,
  memoryRecsReader,
  recommend,
  UNDECAYED_POPULARITY,
  type Recommendation,
  type RecsContext,
  type RecsOptions,
} from '../src/recs/index.js';

const DAY = 86_400_000;
const INF = Number.POSITIVE_INFINITY;

const PLAIN: RecsOptions = {
  n: 20,
  sampleSize: 1000,
  neighbours: 100,
  prefixWeighting: 'linear',
  similarity: 'dot',
  recencyHalfLifeMs: INF,
  neighbourPositionDecay: INF,
  anchorPositionDecay: INF,
  excludePrefixItems: false,
  affinityWeight: 0,
};

interface ScoreCase {
  name: string;
  /** [id, items, time]; applied in this order. */
  sessions: [string, string[], number][];
  prefix: string[];
  options?: Partial<RecsOptions>;
  context?: Partial<RecsContext>;
  categories?: Record<string, string>;
  expected: string[];
  /** Scores to check, to 4 decimals: item → score. */
  scores?: Record<string, number>;
  sources?: Recommendation['source'][];
}

const cases: ScoreCase[] = [
  {
    // weights a 1/2, c 1; sim(s1) = 1.5, sim(s3) = 1; votes a 1.5, b 1.5, c 2.5, e 1 (÷ 2.5).
    name: 'linear prefix weights, dot similarity, votes summed over neighbours',
    sessions: [['s1', ['a', 'b', 'c'], 1], ['s2', ['b', 'd'], 2], ['s3', ['c', 'e'], 3], ['s4', ['x', 'y'], 4]],
    prefix: ['a', 'c'],
    options: { n: 4 },
    expected: ['c', 'a', 'b', 'e'],
    scores: { c: 1, a: 0.6, b: 0.6, e: 0.4 },
  },
  {
    // Same votes; the two slots left come from overall popularity (b and c taken, then a d e x y tie at 1).
    name: 'fewer session items than n: topped up from popularity',
    sessions: [['s1', ['a', 'b', 'c'], 1], ['s2', ['b', 'd'], 2], ['s3', ['c', 'e'], 3], ['s4', ['x', 'y'], 4]],
    prefix: ['a', 'c'],
    options: { n: 6 },
    expected: ['c', 'a', 'b', 'e', 'd', 'x'],
    sources: ['session', 'session', 'session', 'session', 'popular', 'popular'],
  },
  {
    // Prefix items a and c excluded: b 1.5, e 1 → b 1, e 2/3; the fallback skips a and c too.
    name: 'excluding the prefix items',
    sessions: [['s1', ['a', 'b', 'c'], 1], ['s2', ['b', 'd'], 2], ['s3', ['c', 'e'], 3], ['s4', ['x', 'y'], 4]],
    prefix: ['a', 'c'],
    options: { n: 5, excludePrefixItems: true },
    expected: ['b', 'e', 'd', 'x', 'y'],
    scores: { b: 1, e: 0.6667 },
  },
  {
    // c is out of stock: never offered, neither from the neighbours nor from the fallback.
    name: 'the exclusion filter (out of stock)',
    sessions: [['s1', ['a', 'b', 'c'], 1], ['s2', ['b', 'd'], 2], ['s3', ['c', 'e'], 3], ['s4', ['x', 'y'], 4]],
    prefix: ['a', 'c'],
    options: { n: 6 },
    context: { exclude: (item) => item === 'c' },
    expected: ['a', 'b', 'e', 'd', 'x', 'y'],
  },
  {
    // dot: both neighbours 1, so b c d e tie (by id). cosine: s1 1/√2, s2 1/√4: b above c d e.
    name: 'cosine similarity favours the shorter neighbour',
    sessions: [['s1', ['a', 'b'], 1], ['s2', ['a', 'c', 'd', 'e'], 2]],
    prefix: ['a'],
    options: { n: 5, similarity: 'cosine' },
    expected: ['a', 'b', 'c', 'd', 'e'],
    scores: { a: 1, b: 0.5858, c: 0.4142 },
  },
  {
    // Without decay b and c tie (b first by id); with a 1-day half-life at day 10, s2 (day 9) outweighs s1 (day 0).
    name: 'recency decay of neighbour sessions',
    sessions: [['s1', ['a', 'b'], 0], ['s2', ['a', 'c'], 9 * DAY]],
    prefix: ['a'],
    options: { n: 3, recencyHalfLifeMs: DAY },
    context: { nowMs: 10 * DAY },
    expected: ['a', 'c', 'b'],
    scores: { c: 2 ** -1 / (2 ** -1 + 2 ** -10), b: 2 ** -10 / (2 ** -1 + 2 ** -10) },
  },
  {
    name: 'without recency decay, equal neighbours tie',
    sessions: [['s1', ['a', 'b'], 0], ['s2', ['a', 'c'], 9 * DAY]],
    prefix: ['a'],
    options: { n: 3 },
    context: { nowMs: 10 * DAY },
    expected: ['a', 'b', 'c'],
  },
  {
    // Anchor a at position 2; gaps y 1, z 1, b 2: votes e^-1, e^-1, e^-2.
    name: 'neighbour items weighted by their distance from the anchor',
    sessions: [['s1', ['b', 'z', 'a', 'y'], 1]],
    prefix: ['a'],
    options: { n: 4, neighbourPositionDecay: 1 },
    expected: ['a', 'y', 'z', 'b'],
    scores: { y: Math.exp(-1), b: Math.exp(-2) },
  },
  {
    name: 'without the position decay every item of a neighbour votes alike',
    sessions: [['s1', ['b', 'z', 'a', 'y'], 1]],
    prefix: ['a'],
    options: { n: 4 },
    expected: ['a', 'b', 'y', 'z'],
  },
  {
    // The anchor is where the neighbour holds the prefix's most recent shared item (c, position 3),
    // not the first shared item it holds (a): gaps c 0, w 1, y 1, x 2, a 3.
    name: 'the anchor is the most recent prefix item the neighbour shares',
    sessions: [['s1', ['a', 'x', 'y', 'c', 'w'], 1]],
    prefix: ['a', 'c'],
    options: { n: 5, neighbourPositionDecay: 1 },
    expected: ['c', 'w', 'y', 'x', 'a'],
  },
  {
    // e^(−d/λ) with λ = ∞ weighs a and c alike: s1 (a only) and s3 (c only) tie, so f and g tie (by id).
    // Linear: c 1 > a 1/2, so g (from s3) ranks above f (from s1).
    name: 'uniform prefix weights',
    sessions: [['s1', ['a', 'f'], 1], ['s3', ['c', 'g'], 2]],
    prefix: ['a', 'c'],
    options: { n: 4, prefixWeighting: INF },
    expected: ['a', 'c', 'f', 'g'],
  },
  {
    name: 'linear prefix weights favour what followed the last item',
    sessions: [['s1', ['a', 'f'], 1], ['s3', ['c', 'g'], 2]],
    prefix: ['a', 'c'],
    options: { n: 4 },
    expected: ['c', 'g', 'a', 'f'],
  },
  {
    // e^(−1/0.5) = 0.1353 for a: s1's votes 0.1353, s3's 1.
    name: 'exponential prefix weights',
    sessions: [['s1', ['a', 'f'], 1], ['s3', ['c', 'g'], 2]],
    prefix: ['a', 'c'],
    options: { n: 4, prefixWeighting: 0.5 },
    expected: ['c', 'g', 'a', 'f'],
    scores: { a: Math.exp(-2), g: 1 },
  },
  {
    // Sessions with a, most recent first: s3, s2, s1; m = 2 leaves s1 (and so b) out.
    name: 'only the m most recent candidate sessions',
    sessions: [['s1', ['a', 'b'], 1], ['s2', ['a', 'c'], 2], ['s3', ['a', 'd'], 3]],
    prefix: ['a'],
    options: { n: 4, sampleSize: 2 },
    expected: ['a', 'c', 'd', 'b'],
    sources: ['session', 'session', 'session', 'popular'],
  },
  {
    // Sessions with a at times 1, 2, 3 and with b at 4, 5; m = 3 takes s5, s4, s3 (the most recent of
    // both lists together), so s1 and s2, and with them x and y, are left out.
    name: 'the m most recent candidates across the prefix items\' lists',
    sessions: [['s1', ['a', 'x'], 1], ['s2', ['a', 'y'], 2], ['s3', ['a', 'c'], 3], ['s4', ['b', 'd'], 4], ['s5', ['b', 'e'], 5]],
    prefix: ['a', 'b'],
    options: { n: 5, sampleSize: 3, prefixWeighting: INF },
    expected: ['b', 'a', 'c', 'd', 'e'],
    sources: ['session', 'session', 'session', 'session', 'session'],
  },
  {
    name: 'with a sample large enough, the older sessions vote too',
    sessions: [['s1', ['a', 'x'], 1], ['s2', ['a', 'y'], 2], ['s3', ['a', 'c'], 3], ['s4', ['b', 'd'], 4], ['s5', ['b', 'e'], 5]],
    prefix: ['a', 'b'],
    options: { n: 7, sampleSize: 5, prefixWeighting: INF },
    expected: ['a', 'b', 'c', 'd', 'e', 'x', 'y'],
    sources: ['session', 'session', 'session', 'session', 'session', 'session', 'session'],
  },
  {
    // Uniform prefix weights: s1 (met through a, 1 from the end) and s3 (through c, the last) tie at 1.
    // λ_ipw = 1: s1 votes e^(−1): c 1, g 1, a e^-1, f e^-1.
    name: 'V-STAN: a neighbour met through an older prefix item votes less',
    sessions: [['s1', ['a', 'f'], 1], ['s3', ['c', 'g'], 2]],
    prefix: ['a', 'c'],
    options: { n: 4, prefixWeighting: INF, anchorPositionDecay: 1 },
    expected: ['c', 'g', 'a', 'f'],
    scores: { c: 1, g: 1, a: Math.exp(-1), f: Math.exp(-1) },
  },
  {
    // STAN's i* is the prefix's most recent item the neighbour holds (c, at 0), even when the prefix
    // weights are uniform: gaps c 0, x 1, y 2, a 3, w 4 (not from the last shared position, a at 3).
    name: 'the anchor is the most recent prefix item, whatever the prefix weights',
    sessions: [['s1', ['c', 'x', 'y', 'a', 'w'], 1]],
    prefix: ['a', 'c'],
    options: { n: 5, prefixWeighting: INF, neighbourPositionDecay: 1 },
    expected: ['c', 'x', 'y', 'a', 'w'],
  },
  {
    // Anchor a at 1; b at gaps 1 and 2 votes once, at e^-1 (not e^-1 + e^-2); x e^-1 too.
    name: 'an item a neighbour holds twice votes once, at its nearest position',
    sessions: [['s1', ['b', 'a', 'x', 'b'], 1]],
    prefix: ['a'],
    options: { n: 3, neighbourPositionDecay: 1 },
    expected: ['a', 'b', 'x'],
    scores: { a: 1, b: Math.exp(-1), x: Math.exp(-1) },
  },
  {
    // sims: s1 0.5, s2 1, s3 1.5; k = 2 keeps s3 and s2: b 2.5, a 1.5, z 1.5, y 1; x not voted.
    name: 'only the k most similar neighbours vote',
    sessions: [['s1', ['a', 'x'], 1], ['s2', ['b', 'y'], 2], ['s3', ['a', 'b', 'z'], 3]],
    prefix: ['a', 'b'],
    options: { n: 4, neighbours: 2 },
    expected: ['b', 'a', 'z', 'y'],
  },
  {
    // Session a, b; then popularity in a's category K (r), then overall (p, q with 2 views each).
    name: 'category popularity, then overall popularity, as the fallback',
    sessions: [['s1', ['a', 'b'], 1], ['s2', ['p', 'q'], 2], ['s3', ['p', 'r'], 3], ['s4', ['q', 's'], 4]],
    categories: { a: 'K', b: 'K', r: 'K', p: 'L', q: 'L', s: 'L' },
    prefix: ['a'],
    options: { n: 5 },
    expected: ['a', 'b', 'r', 'p', 'q'],
    sources: ['session', 'session', 'category', 'popular', 'popular'],
  },
  {
    // An unknown item: no neighbour, so the page's category first (L: p q 2, s 1), then overall.
    name: 'no neighbours: the page category\'s popularity',
    sessions: [['s1', ['a', 'b'], 1], ['s2', ['p', 'q'], 2], ['s3', ['p', 'r'], 3], ['s4', ['q', 's'], 4]],
    categories: { a: 'K', b: 'K', r: 'K', p: 'L', q: 'L', s: 'L' },
    prefix: ['unknown'],
    options: { n: 4 },
    context: { category: 'L' },
    expected: ['p', 'q', 's', 'a'],
    sources: ['category', 'category', 'category', 'popular'],
  },
  {
    // Session scores a 1, c 2/3, b 1/3; affinities scaled to L 0.5, K 1: + 0.5 × affinity.
    name: 'profile affinities blended with a weight of 0.5',
    sessions: [['s1', ['a', 'b'], 1], ['s2', ['a', 'c'], 2], ['s3', ['a', 'c'], 3]],
    categories: { a: 'L', b: 'K', c: 'L' },
    prefix: ['a'],
    options: { n: 3, affinityWeight: 0.5 },
    context: { affinities: { K: 10, L: 5 } },
    expected: ['a', 'c', 'b'],
    scores: { a: 1.25, c: 2 / 3 + 0.25, b: 1 / 3 + 0.5 },
  },
  {
    // a 1.5, b 1/3 + 1, c 2/3 + 0.5: the profile's favourite category lifts b over c.
    name: 'profile affinities blended with a weight of 1',
    sessions: [['s1', ['a', 'b'], 1], ['s2', ['a', 'c'], 2], ['s3', ['a', 'c'], 3]],
    categories: { a: 'L', b: 'K', c: 'L' },
    prefix: ['a'],
    options: { n: 3, affinityWeight: 1 },
    context: { affinities: { K: 10, L: 5 } },
    expected: ['a', 'b', 'c'],
  },
  {
    // Votes a 6, b 3, c 2, z 1 (÷ 6); only z is in the profile's category K: z 1/6 + 1 beats a 1, b 0.5.
    // The n best are picked among more votes than n: the blend's lift must be allowed for.
    name: 'a weak vote the affinity lifts into the n best',
    sessions: [
      ['s1', ['a', 'b'], 1], ['s2', ['a', 'b'], 2], ['s3', ['a', 'b'], 3],
      ['s4', ['a', 'c'], 4], ['s5', ['a', 'c'], 5], ['s6', ['a', 'z'], 6],
    ],
    categories: { a: 'L', b: 'L', c: 'L', z: 'K' },
    prefix: ['a'],
    options: { n: 2, affinityWeight: 1 },
    context: { affinities: { K: 1 } },
    expected: ['z', 'a'],
    scores: { z: 1 / 6 + 1, a: 1 },
  },
  {
    // The open session is already in the state (the pipeline's case): s9 must not vote for itself.
    name: 'the open session is never its own neighbour',
    sessions: [['s1', ['a', 'b'], 1], ['s9', ['a', 'z'], 2]],
    prefix: ['a'],
    options: { n: 2 },
    context: { session: 's9' },
    expected: ['a', 'b'],
  },
];

describe('recommend', () => {
  it.each(cases)('$name', (c) => {
    const state = emptyRecsState(100);
    for (const [id, items, time] of c.sessions) {
      const views = items.map((item) => {
        const category = c.categories?.[item];
        return category === undefined ? { item, time } : { item, time, category };
      });
      applyRecsChange(state, changeForSession(id, views, UNDECAYED_POPULARITY));
    }
    const categories = c.categories;
    const context: RecsContext = {
      nowMs: 100,
      ...(categories === undefined ? {} : { categoryOf: (item: string) => categories[item] }),
      ...c.context,
    };
    const result = recommend(memoryRecsReader(state), c.prefix, context, { ...PLAIN, ...c.options });
    expect(result.map((r) => r.item)).toEqual(c.expected);
    for (const [item, score] of Object.entries(c.scores ?? {})) {
      expect(result.find((r) => r.item === item)?.score).toBeCloseTo(score, 4);
    }
    if (c.sources !== undefined) expect(result.map((r) => r.source)).toEqual(c.sources);
  });

  it('answers popularity for an empty prefix and nothing for an empty state', () => {
    const state = emptyRecsState(10);
    expect(recommend(memoryRecsReader(state), ['a'], { nowMs: 0 }, PLAIN)).toEqual([]);
    applyRecsChange(state, changeForSession('s1', [{ item: 'a', time: 1 }, { item: 'b', time: 2 }, { item: 'b', time: 3 }], UNDECAYED_POPULARITY));
    expect(recommend(memoryRecsReader(state), [], { nowMs: 0 }, PLAIN)).toEqual([
      { item: 'b', score: 2, source: 'popular' },
      { item: 'a', score: 1, source: 'popular' },
    ]);
  });
});
