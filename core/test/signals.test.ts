import { describe, expect, it } from 'vitest';
import { baselineWith, type SessionBaseline } from '../src/visit/baseline.js';
import { cartUnits } from '../src/visit/cart.js';
import { emptyOpenSession, type OpenSession } from '../src/visit/open-session.js';
import { bounceRisk, cartAbandonmentRisk, idleShare } from '../src/visit/risks.js';
import { signalsOf, type SessionSignals } from '../src/visit/signals-of.js';
import {
  activeDwell,
  behaviouralDeviation,
  categoryIntent,
  engagementIntensity,
  interactionFrequency,
  scrollDepth,
  sessionDuration,
  topCategory,
} from '../src/visit/signals.js';
import cases from './signals.cases.json' with { type: 'json' };

interface SignalCase {
  name: string;
  session: Partial<OpenSession>;
  nowMs: number;
  baseline?: SessionBaseline;
  expected: Record<string, number | string | Record<string, number>>;
}

interface Input {
  s: OpenSession;
  nowMs: number;
  baseline: SessionBaseline | undefined;
}

/** Each signal from its own function; `signalsOf` is checked against these below. */
const measures = {
  sessionDuration: ({ s }: Input) => sessionDuration(s),
  activeDwell: ({ s }: Input) => activeDwell(s),
  scrollDepth: ({ s }: Input) => scrollDepth(s),
  interactionFrequency: ({ s }: Input) => interactionFrequency(s),
  engagementIntensity: ({ s }: Input) => engagementIntensity(s),
  categoryIntent: ({ s }: Input) => categoryIntent(s),
  topCategory: ({ s }: Input) => topCategory(categoryIntent(s)).category,
  topCategoryShare: ({ s }: Input) => topCategory(categoryIntent(s)).share,
  productViews: ({ s }: Input) => s.productViews,
  cartItems: ({ s }: Input) => cartUnits(s.cart),
  behaviouralDeviation: ({ s, baseline }: Input) => behaviouralDeviation(s, baseline),
  cartAbandonmentRisk: ({ s, nowMs }: Input) => cartAbandonmentRisk(s, nowMs),
  bounceRisk: ({ s, nowMs }: Input) => bounceRisk(s, nowMs),
} satisfies Record<keyof SessionSignals, (input: Input) => unknown>;

const extraMeasures: Record<string, (input: Input) => unknown> = {
  idleShare: ({ s, nowMs }) => idleShare(s, nowMs),
};

const EMPTY = emptyOpenSession({ id: 'session-1', startedAt: 0, lastActivityAt: 0 }, 'https://shop.example/');
// JSON imports type each case with the union of all their keys; the cases file is the contract here.
const all = (cases.cases as unknown as SignalCase[]).map((c) => ({ ...c, input: { s: { ...EMPTY, ...c.session }, nowMs: c.nowMs, baseline: c.baseline } }));

describe('session signals', () => {
  it.each(all)('$name', ({ input, expected }) => {
    for (const [signal, want] of Object.entries(expected)) {
      const measure = (measures as Record<string, (input: Input) => unknown>)[signal] ?? extraMeasures[signal];
      if (measure === undefined) throw new Error(`no signal named ${signal}`);
      const got = measure(input);
      if (typeof want === 'number') expect(got, signal).toBeCloseTo(want, 9);
      else if (typeof want === 'string') expect(got, signal).toBe(want);
      else {
        expect(Object.keys(got as object).sort(), signal).toEqual(Object.keys(want).sort());
        for (const [key, share] of Object.entries(want)) expect((got as Record<string, number>)[key], `${signal}.${key}`).toBeCloseTo(share, 9);
      }
    }
  });

  it('covers every signal of signalsOf with a case', () => {
    const covered = new Set(all.flatMap((c) => Object.keys(c.expected)));
    expect(Object.keys(measures).filter((k) => !covered.has(k))).toEqual([]);
  });

  it.each(all)('signalsOf gathers exactly the signals, as their functions give them: $name', ({ input }) => {
    const expected = Object.fromEntries(Object.entries(measures).map(([key, measure]) => [key, measure(input)]));
    expect(signalsOf(input.s, input.nowMs, input.baseline)).toStrictEqual(expected);
  });

  it('signalsOf without a baseline gives no deviation', () => {
    const s = { ...EMPTY, events: 50, pageViews: 9 };
    expect(signalsOf(s, 0).behaviouralDeviation).toBe(0);
  });
});

describe('baselineWith', () => {
  const closed = (events: number, activeMs: number, pageViews: number): OpenSession => ({ ...EMPTY, events, activeMs, pageViews });

  it('keeps running means: sessions of 10, 20, 30 events average 15 after two and 20 after three', () => {
    const two = baselineWith(baselineWith(undefined, closed(10, 60_000, 2)), closed(20, 0, 4));
    expect(two).toEqual({ avgEvents: 15, avgActiveMs: 30_000, avgPageViews: 3, sessions: 2 });
    expect(baselineWith(two, closed(30, 30_000, 6))).toEqual({ avgEvents: 20, avgActiveMs: 30_000, avgPageViews: 4, sessions: 3 });
  });

  it('makes a baseline deviation starts from after its second session', () => {
    const one = baselineWith(undefined, closed(10, 60_000, 2));
    const odd = closed(100, 600_000, 20);
    expect(behaviouralDeviation(odd, one)).toBe(0);
    expect(behaviouralDeviation(odd, baselineWith(one, closed(10, 60_000, 2)))).toBeCloseTo(0.9, 9);
  });
});
