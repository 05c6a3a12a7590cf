import { describe, expect, it } from 'vitest';
import { seededRandom } from '@sessionflow/core';
import { discreteOf } from '../../src/shoppers/distributions.js';
import { planVisit, type Step, type Visit } from '../../src/shoppers/plan.js';
import { PUBLISHED_RATES } from '../../src/shoppers/rates.js';
import { fixedModel, rates } from './model-fixture.js';

const options = { timeScale: 10, userIdOf: (i: number) => `shopper-${i}` };
const kinds = (steps: Step[]) => steps.map((s) => s.kind);
const many = (n: number, model = fixedModel(), r = rates(), seed = 1): Visit[] => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => planVisit(model, r, random, i, options));
};

describe('planVisit', () => {
  it('lands, views at the landing time and then every gap, stays a gap and leaves, all divided by the time scale', () => {
    const visit = planVisit(fixedModel(), rates(), seededRandom(1), 0, options);
    expect(visit.userId).toBeUndefined();
    expect(visit.sessions).toHaveLength(1);
    const steps = visit.sessions[0]!.steps;
    expect(kinds(steps)).toEqual(['landing', 'view', 'view', 'view', 'leave']);
    [0, 2_000, 8_000, 14_000, 20_000].forEach((ms, i) => expect(steps[i]!.atMs).toBeCloseTo(ms, 6));
    // Dwell is the shopper's own active time, capped where the SDK stops counting (30 s idle).
    expect(steps[1]).toMatchObject({ kind: 'view', leftActiveMs: 20_000 });
    expect(steps[2]).toMatchObject({ leftActiveMs: 30_000 });
  });

  it('is the same visit for the same seed, and another for another', () => {
    const model = fixedModel({ signInShare: 0.5, gapMs: { mu: 10, sigma: 1, max: 1e7, n: 9, ks: 0 } });
    expect(many(20, model, rates(), 4)).toEqual(many(20, model, rates(), 4));
    expect(many(20, model, rates(), 4)).not.toEqual(many(20, model, rates(), 5));
  });

  it('signs in as the session starts, for the fitted share of visits', () => {
    const visits = many(4_000, fixedModel({ signInShare: 0.4 }));
    const signedIn = visits.filter((v) => v.userId !== undefined);
    expect(signedIn.length / visits.length).toBeCloseTo(0.4, 1);
    for (const v of signedIn) expect(kinds(v.sessions[0]!.steps).slice(0, 2)).toEqual(['landing', 'sign_in']);
    for (const v of visits.filter((x) => x.userId === undefined)) expect(kinds(v.sessions[0]!.steps)).not.toContain('sign_in');
  });

  it('signs in before a later view for the share that does so on the way', () => {
    const visits = many(200, fixedModel({ signInShare: 1, midSessionSignInShare: 1 }));
    for (const v of visits) {
      const k = kinds(v.sessions[0]!.steps);
      const at = k.indexOf('sign_in');
      expect(at).toBeGreaterThan(1);
      expect(k[at + 1]).toBe('view');
    }
  });

  it('puts a cross-device user on two devices, one session on each, one after the other', () => {
    const visits = many(2_000, fixedModel({ signInShare: 1 }), rates({ crossDevice: 0.31 }));
    const two = visits.filter((v) => v.devices.length === 2);
    expect(two.length / visits.length).toBeCloseTo(0.31, 1);
    for (const v of two) {
      expect(v.sessions.map((s) => s.device)).toEqual([0, 1]);
      const first = v.sessions[0]!;
      expect(v.sessions[1]!.startMs).toBeGreaterThan(first.startMs + first.steps[first.steps.length - 1]!.atMs);
    }
    for (const v of visits.filter((x) => x.devices.length === 1)) expect(v.sessions).toHaveLength(1);
  });

  it('gives a user as many sessions as the fit draws, taking the devices in turn', () => {
    const model = fixedModel({ signInShare: 1, sessionsPerUser: discreteOf(new Map([[3, 1]]), 'sessions per user') });
    const [visit] = many(1, model, rates({ crossDevice: 1 }));
    expect(visit!.sessions.map((s) => s.device)).toEqual([0, 1, 0]);
  });

  it('adds to the cart and buys at the published rates, buying only what the cart holds', () => {
    const visits = many(20_000, fixedModel(), PUBLISHED_RATES);
    const steps = visits.map((v) => v.sessions[0]!.steps);
    const carted = steps.filter((s) => s.some((x) => x.kind === 'add_to_cart'));
    const bought = steps.filter((s) => s.some((x) => x.kind === 'leave' && x.bought.length > 0));
    expect(carted.length / visits.length).toBeCloseTo(PUBLISHED_RATES.addToCart, 2);
    expect(bought.length / visits.length).toBeCloseTo(PUBLISHED_RATES.purchase, 2);
    for (const s of bought) {
      const cart = s.flatMap((x) => (x.kind === 'add_to_cart' ? [x.product] : []));
      const leave = s[s.length - 1]!;
      expect(leave.kind === 'leave' && leave.bought).toEqual(cart);
    }
    for (const s of carted) {
      const cart = s.find((x) => x.kind === 'add_to_cart')!;
      const before = s.slice(0, s.indexOf(cart));
      // Added halfway to the next step, after viewing that very product.
      expect(before.some((x) => x.kind === 'view' && cart.kind === 'add_to_cart' && x.product === cart.product)).toBe(true);
    }
  });

  it('goes back to a product seen earlier in the session at the fitted share', () => {
    const model = fixedModel({ repeatShare: 0.5, productRank: discreteOf(new Map(Array.from({ length: 10_000 }, (_, i) => [i + 1, 1])), 'products') });
    let later = 0;
    let back = 0;
    for (const v of many(3_000, model)) {
      const seen = new Set<number>();
      v.sessions[0]!.steps.forEach((s) => {
        if (s.kind !== 'view') return;
        if (seen.size > 0) {
          later += 1;
          if (seen.has(s.product)) back += 1;
        }
        seen.add(s.product);
      });
    }
    expect(back / later).toBeCloseTo(0.5, 1);
  });

  it('refuses a time scale that is not above 0', () => {
    expect(() => planVisit(fixedModel(), rates(), seededRandom(1), 0, { ...options, timeScale: 0 })).toThrow(/timeScale must be above 0/);
  });
});
