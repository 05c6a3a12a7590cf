import { describe, expect, it } from 'vitest';
import { foldEvent, foldEvents } from '../src/visit/fold.js';
import { emptyOpenSession, isOpenSession, OPEN_SESSION_LIMITS, type OpenSession } from '../src/visit/open-session.js';
import { signalsOf, type SessionSignals } from '../src/visit/signals-of.js';
import { eventOf, sessionIds, type CompactEvent } from './visit-events.js';
import cases from './visit.cases.json' with { type: 'json' };

interface FoldCase {
  name: string;
  steps: { at: number; event: CompactEvent }[];
  expected: Partial<OpenSession>;
  absent?: string[];
  signals?: { nowMs: number; expected: Partial<SessionSignals> };
}

const foldSteps = (steps: FoldCase['steps'], newId: () => string, from?: OpenSession) =>
  steps.reduce<OpenSession | undefined>((s, { at, event }) => foldEvent(s, eventOf(event, at), at, newId), from);

/** Numbers to 9 places (shares are sums of floats), everything else exactly. */
function expectClose(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  for (const [key, want] of Object.entries(expected)) {
    const got = actual[key];
    if (typeof want === 'number') expect(got, key).toBeCloseTo(want, 9);
    else if (typeof want === 'object' && want !== null && !Array.isArray(want)) {
      expect(Object.keys(got as object).sort(), key).toEqual(Object.keys(want).sort());
      expectClose(got as Record<string, unknown>, want as Record<string, unknown>);
    } else expect(got, key).toEqual(want);
  }
}

describe('foldEvent', () => {
  it.each(cases.cases as FoldCase[])('$name', ({ steps, expected, absent, signals }) => {
    const session = foldSteps(steps, sessionIds().newId);
    expect(session).toMatchObject(expected);
    for (const field of absent ?? []) expect((session as unknown as Record<string, unknown>)[field], field).toBeUndefined();
    if (signals && session) expectClose({ ...signalsOf(session, signals.nowMs) }, signals.expected);
  });

  const click = (id: string, at = 0, product?: { id: string; category?: string }) =>
    eventOf({ id, type: 'click', element: { tag: 'a' }, ...(product && { product }) }, at);

  it('makes an id only for a new session', () => {
    const ids = sessionIds();
    let s = foldEvent(undefined, click('evt-0001'), 0, ids.newId);
    s = foldEvent(s, click('evt-0002', 1000), 1000, ids.newId);
    expect(ids.made()).toBe(1);
    foldEvent(s, click('evt-0003', 9_999_999), 9_999_999, ids.newId);
    expect(ids.made()).toBe(2);
  });

  it('gives back the very session it was given for a duplicate, so the caller can skip the write', () => {
    const s = foldEvent(undefined, click('evt-0001'), 0, sessionIds().newId);
    expect(foldEvent(s, click('evt-0001', 5), 5, sessionIds().newId)).toBe(s);
  });

  it('never changes the session it was given', () => {
    const ids = sessionIds();
    const before = foldSteps(
      [
        { at: 0, event: { id: 'evt-0001', type: 'page_view' } },
        { at: 1, event: { id: 'evt-0002', type: 'track', name: 'add_to_cart', props: { productId: 'sku-1' } } },
        { at: 2, event: { id: 'evt-0003', type: 'click', element: { tag: 'a' }, product: { id: 'sku-1', category: 'shoes' } } },
      ],
      ids.newId,
    )!;
    const copy = structuredClone(before);
    deepFreeze(before);
    // Frozen input: any write to it would throw in this (strict) module.
    const later = foldSteps(
      [
        { at: 3, event: { id: 'evt-0004', type: 'scroll', depth: 50 } },
        { at: 4, event: { id: 'evt-0005', type: 'track', name: 'remove_from_cart', props: { productId: 'sku-1' } } },
        { at: 5, event: { id: 'evt-0006', type: 'click', element: { tag: 'a' }, product: { id: 'sku-2', category: 'bags' } } },
        { at: 6, event: { id: 'evt-0007', type: 'dwell', activeMs: 100 } },
        { at: 9_000_000, event: { id: 'evt-0008', type: 'page_view' } },
      ],
      ids.newId,
      before,
    );
    expect(before).toEqual(copy);
    expect(later?.id).toBe('session-2');
  });

  it('remembers the last 200 event ids: a replay of one 201 events back counts again, one 200 back does not', () => {
    const events = Array.from({ length: 201 }, (_, i) => click(`evt-${String(i).padStart(4, '0')}`, i));
    const s = foldEvents(undefined, events, 0, sessionIds().newId)!;
    expect(s.events).toBe(201);
    expect(s.recentEventIds).toHaveLength(OPEN_SESSION_LIMITS.recentEventIds);
    expect(foldEvent(s, click('evt-0001'), 1, sessionIds().newId)).toBe(s);
    expect(foldEvent(s, click('evt-0000'), 1, sessionIds().newId).events).toBe(202);
  });

  it('keeps the last 50 products viewed, dropping the least recent', () => {
    const views = Array.from({ length: 51 }, (_, i) => click(`evt-${String(i).padStart(4, '0')}`, i, { id: `sku-${i}`, category: 'shoes' }));
    const s = foldEvents(undefined, views, 0, sessionIds().newId)!;
    expect(s.productsViewed).toHaveLength(50);
    expect(s.productsViewed[0]?.id).toBe('sku-1');
    expect(s.productsViewed[49]?.id).toBe('sku-50');
    expect(s.productViews).toBe(51);
    expect(s.categoryViews).toEqual({ shoes: 51 });
  });

  it('keeps the scroll depth of the last 100 page views', () => {
    const views = Array.from({ length: 101 }, (_, i) =>
      eventOf({ id: `evt-${String(i).padStart(4, '0')}`, type: 'page_view', page: { pageViewId: `pv-${String(i).padStart(5, '0')}` } }, i),
    );
    const s = foldEvents(undefined, views, 0, sessionIds().newId)!;
    expect(s.pageScrolls).toHaveLength(100);
    expect(s.pageScrolls[0]?.page).toBe('pv-00001');
    expect(s.pageViews).toBe(101);
  });

  it('takes product ids and categories such as __proto__ and constructor as ordinary names', () => {
    const s = foldEvents(
      undefined,
      [
        click('evt-0001', 0, { id: 'constructor', category: '__proto__' }),
        click('evt-0002', 0, { id: 'toString', category: 'constructor' }),
        eventOf({ id: 'evt-0003', type: 'track', name: 'add_to_cart', props: { productId: '__proto__' } }, 0),
        eventOf({ id: 'evt-0004', type: 'track', name: 'add_to_cart', props: { productId: 'constructor', quantity: 2 } }, 0),
        eventOf({ id: 'evt-0005', type: 'track', name: 'remove_from_cart', props: { productId: 'hasOwnProperty' } }, 0),
      ],
      0,
      sessionIds().newId,
    )!;
    expect(Object.getPrototypeOf(s.categoryViews)).toBe(Object.prototype);
    expect(Object.entries(s.categoryViews).sort()).toEqual([
      ['__proto__', 1],
      ['constructor', 1],
    ]);
    expect(Object.entries(s.cart).sort()).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
    ]);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('keeps a bot flag the caller set while the session lasts, not into the next one', () => {
    const ids = sessionIds();
    const flagged = { ...foldEvent(undefined, click('evt-0001'), 0, ids.newId), bot: true };
    expect(foldEvent(flagged, click('evt-0002', 1000), 1000, ids.newId).bot).toBe(true);
    expect(foldEvent(flagged, click('evt-0003', 3_600_000), 3_600_000, ids.newId).bot).toBeUndefined();
  });

  it('starts a new session at the maximum length of the policy given', () => {
    const policy = { inactivityGapMs: 60_000, maxLengthMs: 120_000 };
    const ids = sessionIds();
    const steps = [0, 50_000, 100_000, 120_000].map((at, i) => ({ at, event: click(`evt-000${i}`, at) }));
    const s = steps.reduce<OpenSession | undefined>((prev, { at, event }) => foldEvent(prev, event, at, ids.newId, policy), undefined);
    expect(s).toMatchObject({ id: 'session-2', startedAt: 120_000, clicks: 1 });
  });
});

describe('isOpenSession', () => {
  const fresh = emptyOpenSession({ id: 'session-1', startedAt: 1, lastActivityAt: 2 }, 'https://shop.example/');

  it('accepts a session, also after a trip through JSON', () => {
    expect(isOpenSession(fresh)).toBe(true);
    expect(isOpenSession(JSON.parse(JSON.stringify(fresh)))).toBe(true);
  });

  it.each([
    ['a bare session state', { id: 'session-1', startedAt: 1, lastActivityAt: 2 }],
    ['a cart that is a list', { ...fresh, cart: [] }],
    ['a count given as text', { ...fresh, events: '3' }],
    ['no recent event ids', { ...fresh, recentEventIds: undefined }],
    ['a purchased flag that is not a boolean', { ...fresh, purchased: 'no' }],
    ['null', null],
  ])('refuses %s', (_label, value) => {
    expect(isOpenSession(value)).toBe(false);
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
