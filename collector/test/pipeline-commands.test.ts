import { describe, expect, it } from 'vitest';
import { topicNames, type IngestedEvent } from '@sessionflow/core';
import { eventCommands, eventTime, inventoryCommands, PLANNER_SCRIPT, productCommands } from '../src/pipeline/commands.js';
import { productSignals } from '../src/pipeline/signals.js';
import { profileKeysOf } from '../src/pipeline/profiles/commands.js';
import { PROFILE_SCRIPT } from '../src/pipeline/profiles/script.js';
import { DEFAULT_STATE_BOUNDS, type StateBounds } from '../src/store/bounds.js';
import { decayedAt } from '../src/store/decay.js';
import { storeKeys } from '../src/store/keys.js';
import { click, NOW, pageView } from './fakes.js';

const keys = storeKeys('t', topicNames('t').eventsByUser, 2);
const ingest = { siteKey: 'demo-site-key', receivedAt: NOW, ingestedAt: NOW + 5 };

function ingested(event: Record<string, unknown>): IngestedEvent {
  return { ...event, ingest } as unknown as IngestedEvent;
}

function track(anonymousId: string, name: string, props: Record<string, unknown>): IngestedEvent {
  return ingested({ ...pageView(anonymousId), type: 'track', name, props });
}

describe('productSignals', () => {
  it('reads product views, adds to cart and purchases the way the open session does', () => {
    expect(productSignals(ingested(click('anon-aaaaaaaa', 'sku-1')))).toEqual([{ kind: 'view', productId: 'sku-1', category: 'kitchen' }]);
    expect(productSignals(track('anon-aaaaaaaa', 'product_view', { productId: ' sku-2 ' }))).toEqual([{ kind: 'view', productId: 'sku-2' }]);
    expect(productSignals(track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-3', category: 'shoes' }))).toEqual([
      { kind: 'cart', productId: 'sku-3', category: 'shoes' },
    ]);
    expect(
      productSignals(track('anon-aaaaaaaa', 'purchase', { productId: 'sku-4', productIds: ['sku-4', 'sku-5', 7], items: [{ productId: 'sku-6' }, null] })),
    ).toEqual([
      { kind: 'purchase', productId: 'sku-4' },
      { kind: 'purchase', productId: 'sku-5' },
      { kind: 'purchase', productId: 'sku-6' },
    ]);
  });

  it('finds nothing in page views, impressions, other tracks or props of the wrong shape', () => {
    expect(productSignals(ingested(pageView('anon-aaaaaaaa')))).toEqual([]);
    expect(productSignals(ingested({ ...pageView('anon-aaaaaaaa'), type: 'impression', product: { id: 'sku-1' } }))).toEqual([]);
    expect(productSignals(track('anon-aaaaaaaa', 'search', { productId: 'sku-1' }))).toEqual([]);
    expect(productSignals(track('anon-aaaaaaaa', 'add_to_cart', { productId: 42 }))).toEqual([]);
  });
});

describe('eventCommands', () => {
  const plan = (events: IngestedEvent[], catalog: Record<string, string> = {}, bounds?: StateBounds) =>
    eventCommands(events, { keys, seenTtlSeconds: 60, categoryOf: (id) => catalog[id], ...(bounds ? { bounds } : {}) });
  const device = 'a:anon-aaaaaaaa';

  it('remembers each event id with an expiry and keeps the profile under its ref: latest time, sessions, devices', () => {
    const event = ingested({ ...pageView('anon-aaaaaaaa'), userId: 'user-1' });
    const commands = plan([event]);
    expect(commands).toContainEqual(['SET', keys.seenEvent(event.eventId), '1', 'EX', '60']);
    // One script call: the latest event time, and each session with its own.
    expect(commands).toContainEqual([PLANNER_SCRIPT, PROFILE_SCRIPT, keys.profile(device), keys.profileSessions(device), String(event.timestamp), '1', 'session-0001', String(event.timestamp)]);
    expect(commands).toContainEqual(['ZADD', keys.profilesUpdatedAt, 'GT', String(event.timestamp), device]);
    expect(commands).toContainEqual(['SADD', keys.profileDevices(device), 'anon-aaaaaaaa']);
    // A device's own profile never names a user, whatever its events claim.
    expect(commands.filter((c) => c[0] === 'HSET')).toEqual([]);
  });

  it('names a user profile by its ref and records its user id there', () => {
    const event = ingested({ ...pageView('anon-aaaaaaaa'), canonicalId: 'u:user-1' });
    const commands = plan([event]);
    expect(commands).toContainEqual(['HSET', keys.profile('u:user-1'), 'userId', 'user-1']);
    expect(commands.some((c) => c.includes(keys.profile(device)))).toBe(false);
  });

  it("keeps every key of a touched profile for its quiet period, a device's shorter than a user's, from after the batch's writes", () => {
    const bounds: StateBounds = { ...DEFAULT_STATE_BOUNDS, anonymousProfileTtlSeconds: 111, userProfileTtlSeconds: 222 };
    const anonymous = ingested(click('anon-aaaaaaaa', 'sku-1'));
    const user = ingested({ ...click('anon-bbbbbbbb', 'sku-2'), canonicalId: 'u:user-1' });
    const commands = plan([anonymous, user], {}, bounds);
    for (const [ref, ttl] of [[device, '111'], ['u:user-1', '222']] as const) {
      for (const key of profileKeysOf(ref, keys)) {
        const expiry = commands.findIndex((c) => c[0] === 'EXPIRE' && c[1] === key);
        expect(commands[expiry]).toEqual(['EXPIRE', key, ttl]);
        // Keys this batch did not write (purchases, the baseline) expire all the same: the whole profile lives as one.
        const writes = commands.flatMap((c, i) => (c[0] !== 'EXPIRE' && c.includes(key) ? [i] : []));
        expect(expiry).toBeGreaterThan(Math.max(-1, ...writes));
      }
      for (const key of [keys.profile(ref), keys.profileSessions(ref), keys.profileAffinities(ref), keys.profileRecentlyViewed(ref), keys.profileDevices(ref)]) {
        expect(commands.some((c) => c[0] !== 'EXPIRE' && c.includes(key))).toBe(true);
      }
    }
  });

  it("trims the profile's sessions and the recent-profiles index, and keeps the index within the anonymous quiet period", () => {
    const bounds: StateBounds = { ...DEFAULT_STATE_BOUNDS, profileSessionsKept: 3, recentProfilesKept: 7, anonymousProfileTtlSeconds: 10 };
    const event = ingested(pageView('anon-aaaaaaaa'));
    const commands = plan([event], {}, bounds);
    expect(commands).toContainEqual(['ZREMRANGEBYRANK', keys.profileSessions(device), '0', '-4']);
    const index = commands.filter((c) => c[1] === keys.profilesUpdatedAt);
    expect(index).toEqual([
      ['ZADD', keys.profilesUpdatedAt, 'GT', String(event.timestamp), device],
      ['ZREMRANGEBYSCORE', keys.profilesUpdatedAt, '-inf', `(${event.timestamp - 10_000}`],
      ['ZREMRANGEBYRANK', keys.profilesUpdatedAt, '0', '-8'],
    ]);
  });

  it('trims each popularity set to its top after the increments, and lets a category set expire', () => {
    const bounds: StateBounds = { ...DEFAULT_STATE_BOUNDS, popularityKept: 250, categoryPopularityTtlSeconds: 99 };
    const commands = plan([ingested(click('anon-aaaaaaaa', 'sku-1'))], {}, bounds);
    for (const key of [keys.popularity, keys.categoryPopularity('kitchen')]) {
      const trim = commands.findIndex((c) => c[0] === 'ZREMRANGEBYRANK' && c[1] === key);
      expect(commands[trim]).toEqual(['ZREMRANGEBYRANK', key, '0', '-251']);
      expect(trim).toBeGreaterThan(commands.findIndex((c) => c[0] === 'ZINCRBY' && c[1] === key));
    }
    expect(commands).toContainEqual(['EXPIRE', keys.categoryPopularity('kitchen'), '99']);
    // The overall set is the catalog's popularity: no expiry.
    expect(commands.some((c) => c[0] === 'EXPIRE' && c[1] === keys.popularity)).toBe(false);
  });

  it('sums popularity per product and batch with weights 1 view, 3 cart, 5 purchase', () => {
    const commands = plan([
      ingested(click('anon-aaaaaaaa', 'sku-1')),
      ingested(click('anon-bbbbbbbb', 'sku-1')),
      track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-1' }),
      track('anon-aaaaaaaa', 'purchase', { productId: 'sku-2' }),
    ], { 'sku-1': 'kitchen', 'sku-2': 'garden' });
    const zincr = commands.filter((c) => c[0] === 'ZINCRBY');
    expect(zincr).toEqual(
      expect.arrayContaining([
        ['ZINCRBY', keys.popularity, '5', 'sku-1'],
        ['ZINCRBY', keys.categoryPopularity('kitchen'), '5', 'sku-1'],
        ['ZINCRBY', keys.popularity, '5', 'sku-2'],
        ['ZINCRBY', keys.categoryPopularity('garden'), '5', 'sku-2'],
      ]),
    );
    expect(zincr).toHaveLength(4);
  });

  it('takes the category from the event, else from the catalog, else counts only overall popularity', () => {
    const commands = plan([
      track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-9' }),
      track('anon-aaaaaaaa', 'product_view', { productId: 'sku-8', category: 'shoes' }),
    ], { 'sku-8': 'kitchen' });
    expect(commands).toContainEqual(['ZINCRBY', keys.categoryPopularity('shoes'), '1', 'sku-8']);
    expect(commands).toContainEqual(['ZINCRBY', keys.popularity, '3', 'sku-9']);
    expect(commands.some((c) => c[0] === 'ZINCRBY' && c[3] === 'sku-9' && c[1] !== keys.popularity)).toBe(false);
    expect(commands.some((c) => c[1] === keys.categoryPopularity('kitchen'))).toBe(false);
  });

  it('adds forward-decayed category affinity that reads back as the weight at the event time', () => {
    const event = track('anon-aaaaaaaa', 'add_to_cart', { productId: 'sku-1', category: 'kitchen' });
    const affinity = plan([event]).find((c) => c[0] === 'HINCRBYFLOAT');
    expect(affinity?.slice(0, 3)).toEqual(['HINCRBYFLOAT', keys.profileAffinities('a:anon-aaaaaaaa'), 'kitchen']);
    expect(decayedAt(Number(affinity?.[3]), eventTime(event))).toBeCloseTo(3, 9);
  });

  it('moves a viewed product to the head of recently viewed, capped at 20', () => {
    const key = keys.profileRecentlyViewed('a:anon-aaaaaaaa');
    const lists = plan([ingested(click('anon-aaaaaaaa', 'sku-1'))]).filter((c) => c[1] === key && c[0] !== 'EXPIRE');
    expect(lists).toEqual([
      ['LREM', key, '0', 'sku-1'],
      ['LPUSH', key, 'sku-1'],
      ['LTRIM', key, '0', '19'],
    ]);
  });

  it('never dates an event after the edge received it', () => {
    const future = { ...ingested(pageView('anon-aaaaaaaa')), timestamp: NOW + 3_600_000 } as IngestedEvent;
    expect(eventTime(future)).toBe(NOW);
  });
});

describe('catalog records', () => {
  it('keeps the latest product and stock under their id, and forgets them on a tombstone', () => {
    const value = JSON.stringify({ id: 'sku-1', name: 'Mug', category: 'kitchen', price: '€1' });
    expect(productCommands('sku-1', value, keys)).toEqual([['HSET', keys.products, 'sku-1', value]]);
    expect(productCommands('sku-1', null, keys)).toEqual([['HDEL', keys.products, 'sku-1']]);
    expect(inventoryCommands('sku-1', '{"inStock":false}', keys)).toEqual([['HSET', keys.inventory, 'sku-1', '0']]);
    expect(inventoryCommands('sku-1', null, keys)).toEqual([['HDEL', keys.inventory, 'sku-1']]);
  });

  it('reads a value that is not a product or stock as unreadable', () => {
    expect(productCommands('sku-2', JSON.stringify({ id: 'sku-1', name: 'Mug', category: 'k', price: '1' }), keys)).toBeNull();
    expect(productCommands('sku-1', 'not json', keys)).toBeNull();
    expect(inventoryCommands('sku-1', '{"inStock":"yes"}', keys)).toBeNull();
    expect(inventoryCommands(null, '{"inStock":true}', keys)).toBeNull();
  });
});
