import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { assign, type Assignment } from '../src/experiment/assign.js';
import { bucketOf } from '../src/experiment/bucket.js';
import { murmur3_32 } from '../src/experiment/murmur3.js';
import type { Experiment } from '../src/experiment/schema.js';

/*
 * Statistical checks run over fixed unit ids (`unit-0` … `unit-9999`), so they are deterministic:
 * they pass or fail the same way on every run. Sequential ids differing only in their last
 * characters are the hard case for a string hash, which is why they are used.
 *
 * Tolerance: a share p observed over n independent units is binomial, with standard deviation
 * sqrt(p(1 − p)/n) (0.005 at p = 0.5, n = 10,000). Each check allows 4 standard deviations:
 * a good hash lands outside that about once in 16,000 checks, while a real bias of a percent or
 * two (what a weak hash or an off-by-one in the weights produces) is caught.
 */
const N = 10_000;
const UNITS = Array.from({ length: N }, (_, i) => `unit-${i}`);

function expectShare(count: number, n: number, p: number): void {
  const tolerance = 4 * Math.sqrt((p * (1 - p)) / n);
  expect(Math.abs(count / n - p)).toBeLessThanOrEqual(tolerance);
}

function countBy(assignments: readonly (Assignment | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of assignments) {
    const label = a?.variant ?? '(not in)';
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
}

const fiftyFifty = (key: string, over: Partial<Experiment> = {}): Experiment => ({
  key,
  version: 1,
  traffic: 1,
  variants: [
    { name: 'control', weight: 1 },
    { name: 'treatment', weight: 1 },
  ],
  ...over,
});

// The hashed strings are part of the contract (any other implementation must reproduce them),
// so they are checked against Node's UTF-8 bytes rather than through the module's own encoder.
const hashShare = (text: string): number => murmur3_32(new Uint8Array(Buffer.from(text, 'utf8'))) / 2 ** 32;

describe('bucketOf', () => {
  it('hashes exactly `${version}:${key}:${unitId}`', () => {
    expect(bucketOf('checkout-cta', 3, 'unit-7')).toBe(hashShare('3:checkout-cta:unit-7'));
    expect(bucketOf('home.hero', 12, 'a1b2c3d4-0000-4000-8000-000000000001')).toBe(
      hashShare('12:home.hero:a1b2c3d4-0000-4000-8000-000000000001'),
    );
    expect(bucketOf('k', 1, 'ünït-π')).toBe(hashShare('1:k:ünït-π'));
  });

  it('stays in [0, 1)', () => {
    const outside = UNITS.map((u) => bucketOf('checkout-cta', 1, u)).filter((b) => !(b >= 0 && b < 1));
    expect(outside).toEqual([]);
  });

  it('spreads 10,000 units evenly over ten deciles', () => {
    const deciles = new Array<number>(10).fill(0);
    for (const unit of UNITS) {
      const d = Math.floor(bucketOf('checkout-cta', 1, unit) * 10);
      deciles[d] = (deciles[d] ?? 0) + 1;
    }
    for (const count of deciles) expectShare(count, N, 0.1);
  });

  it('is uncorrelated across experiments whose keys differ by one character', () => {
    // Pearson correlation of two independent uniform samples has standard deviation 1/sqrt(n) = 0.01.
    const a = UNITS.map((u) => bucketOf('checkout-cta', 1, u));
    const b = UNITS.map((u) => bucketOf('checkout-ctb', 1, u));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const ma = mean(a);
    const mb = mean(b);
    let cov = 0;
    let va = 0;
    let vb = 0;
    for (let i = 0; i < N; i += 1) {
      const da = (a[i] ?? 0) - ma;
      const db = (b[i] ?? 0) - mb;
      cov += da * db;
      va += da * da;
      vb += db * db;
    }
    expect(Math.abs(cov / Math.sqrt(va * vb))).toBeLessThanOrEqual(4 / Math.sqrt(N));
  });
});

describe('assign', () => {
  it('is stable: the same unit gets the same answer on every call, from a copy of the experiment too', () => {
    const experiment = fiftyFifty('checkout-cta', { traffic: 0.7, holdout: 0.1 });
    const first = UNITS.map((u) => assign(experiment, u));
    const copy = JSON.parse(JSON.stringify(experiment)) as Experiment;
    const again = [...UNITS].reverse().map((u) => assign(copy, u)).reverse();
    expect(again).toEqual(first);
    // All three outcomes occur, so stability is not the trivial kind.
    expect(new Set(first.map((a) => a?.variant ?? '(not in)'))).toEqual(new Set(['control', 'treatment', 'holdout', '(not in)']));
  });

  it('names the experiment and its version', () => {
    expect(assign(fiftyFifty('checkout-cta', { version: 4 }), 'unit-1')).toEqual({
      experiment: 'checkout-cta',
      version: 4,
      variant: expect.stringMatching(/^(control|treatment)$/),
    });
  });

  it('splits 10,000 units 50/50 for equal weights', () => {
    const counts = countBy(UNITS.map((u) => assign(fiftyFifty('checkout-cta'), u)));
    expectShare(counts.get('control') ?? 0, N, 0.5);
    expectShare(counts.get('treatment') ?? 0, N, 0.5);
  });

  it('follows weights that do not sum to 1: 2, 3, 5 → 20 %, 30 %, 50 %', () => {
    const experiment: Experiment = {
      key: 'pricing-page',
      version: 1,
      traffic: 1,
      variants: [
        { name: 'a', weight: 2 },
        { name: 'b', weight: 3 },
        { name: 'c', weight: 5 },
      ],
    };
    const counts = countBy(UNITS.map((u) => assign(experiment, u)));
    expectShare(counts.get('a') ?? 0, N, 0.2);
    expectShare(counts.get('b') ?? 0, N, 0.3);
    expectShare(counts.get('c') ?? 0, N, 0.5);
  });

  it('gives a single variant to everyone let in', () => {
    const experiment: Experiment = { key: 'new-nav', version: 1, traffic: 1, variants: [{ name: 'on', weight: 3 }] };
    expect(countBy(UNITS.map((u) => assign(experiment, u)))).toEqual(new Map([['on', N]]));
  });

  it('lets in the traffic share, and splits those let in by weight', () => {
    // weights 1:3 → 25 % / 75 % of the 30 % let in: 7.5 % and 22.5 % of all units.
    const experiment: Experiment = {
      key: 'checkout-cta',
      version: 1,
      traffic: 0.3,
      variants: [
        { name: 'control', weight: 1 },
        { name: 'treatment', weight: 3 },
      ],
    };
    const counts = countBy(UNITS.map((u) => assign(experiment, u)));
    expectShare(counts.get('(not in)') ?? 0, N, 0.7);
    expectShare(counts.get('control') ?? 0, N, 0.075);
    expectShare(counts.get('treatment') ?? 0, N, 0.225);
  });

  it('holds out a share of ALL units, independent of traffic', () => {
    // holdout 0.1 of everyone; traffic 0.5 of the other 90 %: 45 % in a variant, 45 % not in.
    const counts = countBy(UNITS.map((u) => assign(fiftyFifty('checkout-cta', { traffic: 0.5, holdout: 0.1 }), u)));
    expectShare(counts.get('holdout') ?? 0, N, 0.1);
    expectShare((counts.get('control') ?? 0) + (counts.get('treatment') ?? 0), N, 0.45);
    expectShare(counts.get('control') ?? 0, N, 0.225);
    expectShare(counts.get('(not in)') ?? 0, N, 0.45);
  });

  it('holds out exactly the units whose `${version}:${key}~holdout:${unitId}` bucket is below the holdout', () => {
    const experiment = fiftyFifty('checkout-cta', { version: 2, holdout: 0.2 });
    const disagree = UNITS.filter((u) => (assign(experiment, u)?.variant === 'holdout') !== hashShare(`2:checkout-cta~holdout:${u}`) < 0.2);
    expect(disagree).toEqual([]);
  });

  it('lets in exactly the units whose `${version}:${key}~traffic:${unitId}` bucket is below the traffic', () => {
    const experiment = fiftyFifty('checkout-cta', { version: 2, traffic: 0.4 });
    const disagree = UNITS.filter((u) => (assign(experiment, u) !== undefined) !== hashShare(`2:checkout-cta~traffic:${u}`) < 0.4);
    expect(disagree).toEqual([]);
  });

  it('ramping traffic up only adds units: nobody changes variant or leaves', () => {
    const before = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { traffic: 0.2, holdout: 0.05 }), u));
    const after = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { traffic: 0.6, holdout: 0.05 }), u));
    const changed = UNITS.filter((_, i) => before[i] !== undefined && JSON.stringify(after[i]) !== JSON.stringify(before[i]));
    expect(changed).toEqual([]);
    const inAfter = after.filter((a) => a !== undefined && a.variant !== 'holdout').length;
    expectShare(inAfter, N, 0.95 * 0.6);
  });

  it('growing the holdout only moves units into it', () => {
    const before = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { holdout: 0.05 }), u));
    const after = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { holdout: 0.15 }), u));
    const moved = UNITS.filter((_, i) => {
      const was = before[i]?.variant;
      const now = after[i]?.variant;
      return now !== was && now !== 'holdout';
    });
    expect(moved).toEqual([]);
    // And some did move into it: 10 % of the units more than before.
    const heldOut = (xs: typeof before) => xs.filter((a) => a?.variant === 'holdout').length;
    expectShare(heldOut(after) - heldOut(before), N, 0.1);
  });

  it('splits the units of two experiments independently (keys one character apart)', () => {
    // Under independence each of the four (A variant, B variant) cells holds 25 % of the units.
    const a = UNITS.map((u) => assign(fiftyFifty('checkout-cta'), u)?.variant);
    const b = UNITS.map((u) => assign(fiftyFifty('checkout-ctb'), u)?.variant);
    const cells = new Map<string, number>();
    a.forEach((va, i) => cells.set(`${va}/${b[i]}`, (cells.get(`${va}/${b[i]}`) ?? 0) + 1));
    for (const cell of ['control/control', 'control/treatment', 'treatment/control', 'treatment/treatment']) {
      expectShare(cells.get(cell) ?? 0, N, 0.25);
    }
  });

  it('reshuffles when the version is bumped', () => {
    // Independent 50/50 draws before and after: a unit keeps its variant with probability 1/2.
    const v1 = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { version: 1 }), u)?.variant);
    const v2 = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { version: 2 }), u)?.variant);
    const kept = v1.filter((variant, i) => variant === v2[i]).length;
    expectShare(kept, N, 0.5);
  });

  it('reshuffles the holdout and the traffic draw with the version too', () => {
    // 20 % held out under each version, drawn independently: 4 % held out under both.
    const v1 = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { version: 1, holdout: 0.2 }), u)?.variant);
    const v2 = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { version: 2, holdout: 0.2 }), u)?.variant);
    expectShare(v1.filter((x, i) => x === 'holdout' && v2[i] === 'holdout').length, N, 0.04);
    // 50 % let in under each version, drawn independently: 25 % let in under both.
    const t1 = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { version: 1, traffic: 0.5 }), u));
    const t2 = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { version: 2, traffic: 0.5 }), u));
    expectShare(t1.filter((x, i) => x !== undefined && t2[i] !== undefined).length, N, 0.25);
  });

  it('assigns nobody when the experiment is stopped, not even to the holdout', () => {
    const experiment = fiftyFifty('checkout-cta', { status: 'stopped', holdout: 0.5 });
    expect(UNITS.filter((u) => assign(experiment, u) !== undefined)).toEqual([]);
  });

  it('treats an explicit running status like none', () => {
    const running = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { status: 'running', traffic: 0.5 }), u));
    const unset = UNITS.map((u) => assign(fiftyFifty('checkout-cta', { traffic: 0.5 }), u));
    expect(running).toEqual(unset);
  });

  it('lets nobody into a variant at traffic 0 and holds everyone out at holdout 1', () => {
    expect(UNITS.filter((u) => assign(fiftyFifty('checkout-cta', { traffic: 0 }), u) !== undefined)).toEqual([]);
    const all = countBy(UNITS.map((u) => assign(fiftyFifty('checkout-cta', { holdout: 1 }), u)));
    expect(all).toEqual(new Map([['holdout', N]]));
  });
});
