/** The read API's answers as the edge checks them: a malformed answer is refused with the field named. */
import { describe, expect, it } from 'vitest';
import { parseInventoryView, parseProfileView, parseRecsView } from '../src/index.js';

const profile = {
  kind: 'user',
  id: 'user-1',
  userId: 'user-1',
  anonymousIds: ['anon-a', 'anon-b'],
  sessions: 3,
  affinities: { lighting: 2.5, kitchen: 0.4 },
  recentlyViewed: ['sku-1001'],
  purchased: [],
  updatedAt: 1_700_000_000_000,
};

describe('read views', () => {
  it('takes a profile as the collector sends it', () => {
    expect(parseProfileView(profile)).toEqual({ ok: true, value: profile });
  });

  it.each([
    [{ ...profile, sessions: -1 }, 'sessions must not be negative'],
    [{ ...profile, affinities: { lighting: 'high' } }, 'affinities.lighting must be a number'],
    [{ ...profile, anonymousIds: 'anon-a' }, 'anonymousIds must be an array of ids'],
  ])('refuses a profile with a bad field, naming it (%#)', (input, message) => {
    expect(parseProfileView(input)).toEqual({ ok: false, errors: [message] });
  });

  it('refuses recommendations from an unknown source and items without an id', () => {
    const result = parseRecsView({ source: 'guess', generatedAt: 1, items: [{ name: 'Lamp', score: 1 }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual(['items.0.id must be an item with id, name and score', 'source must be session or popularity']);
  });

  it('takes stock as true or false per product, nothing else', () => {
    expect(parseInventoryView({ inStock: { 'sku-1': true, 'sku-2': false } }).ok).toBe(true);
    expect(parseInventoryView({ inStock: { 'sku-1': 'yes' } })).toEqual({ ok: false, errors: ['inStock.sku-1 must be true or false'] });
  });
});
