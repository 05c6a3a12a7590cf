import { describe, expect, it } from 'vitest';
import { validateCollectBatch, type SessionflowEvent } from '@sessionflow/core';
import { eventsOfStep, newTab, type Tab } from '../../src/shoppers/events.js';
import type { Step } from '../../src/shoppers/plan.js';

const ORIGIN = 'http://127.0.0.1:8080';
let n = 0;
const context = (over = {}) => ({ origin: ORIGIN, newId: () => `id${String((n += 1)).padStart(8, '0')}`, now: 1_765_000_000_000, ...over });

function play(steps: Step[], signIn?: { userId: string; token: string }): SessionflowEvent[] {
  let tab: Tab = newTab('a0a0a0a0a0a0a0a0', 'session-0001', ORIGIN);
  const out: SessionflowEvent[] = [];
  for (const step of steps) {
    const made = eventsOfStep(tab, step, context(signIn ? { signIn } : {}));
    tab = made.tab;
    out.push(...made.events);
  }
  return out;
}

const session: Step[] = [
  { atMs: 0, kind: 'landing' },
  { atMs: 0, kind: 'sign_in' },
  { atMs: 1000, kind: 'view', product: 7, leftActiveMs: 20_000 },
  { atMs: 2000, kind: 'add_to_cart', product: 7 },
  { atMs: 4000, kind: 'view', product: 3, leftActiveMs: 0 },
  { atMs: 9000, kind: 'leave', leftActiveMs: 30_000, bought: [7] },
];

describe('eventsOfStep', () => {
  const events = play(session, { userId: 'shopper-1', token: 'aaa.bbb.ccc' });

  it('makes events the edge accepts, every one', () => {
    const batch = validateCollectBatch({ events, sentAt: 1_765_000_000_000 });
    expect(batch.ok ? [] : batch.errors).toEqual([]);
  });

  it('sends what the storefront sends, in order', () => {
    expect(events.map((e) => (e.type === 'track' ? `track:${e.name}` : e.type))).toEqual([
      'page_view',
      'identify',
      'dwell',
      'click',
      'page_view',
      'track:product_view',
      'track:add_to_cart',
      // a page left after no active time reports none
      'click',
      'page_view',
      'track:product_view',
      'dwell',
      'page_view',
      'track:purchase',
    ]);
  });

  it('numbers the session, moves pages and carries the user after the sign-in', () => {
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events[0]!.userId).toBeUndefined();
    expect(events[1]).toMatchObject({ type: 'identify', userId: 'shopper-1', token: 'aaa.bbb.ccc' });
    expect(events.slice(2).every((e) => e.userId === 'shopper-1')).toBe(true);
    const productPage = events[4]!;
    expect(productPage.page.url).toBe(`${ORIGIN}/p/dg-7`);
    expect(productPage.page.referrer).toBe(`${ORIGIN}/`);
    expect(events[3]).toMatchObject({ type: 'click', product: { id: 'dg-7' }, page: { url: `${ORIGIN}/` } });
    expect(events[12]).toMatchObject({ type: 'track', props: { items: [{ productId: 'dg-7', quantity: 1 }] }, page: { url: `${ORIGIN}/checkout` } });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  it('leaves without the checkout when nothing is bought', () => {
    const out = play([{ atMs: 0, kind: 'landing' }, { atMs: 5, kind: 'leave', leftActiveMs: 100, bought: [] }]);
    expect(out.map((e) => e.type)).toEqual(['page_view', 'dwell']);
  });

  it('refuses a sign-in without the token the site signed', () => {
    expect(() => play([{ atMs: 0, kind: 'sign_in' }])).toThrow(/sign_in step needs signIn/);
  });
});
