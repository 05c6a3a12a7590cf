import { describe, expect, it } from 'vitest';
import { topicNames, type IngestedEvent } from '@sessionflow/core';
import { identityKeys } from '../../src/store/identity-keys.js';
import { partitionTag } from '../../src/store/owner.js';
import { decodeDeviceSession, devicesToLink, encodeDeviceSession, planIdentity, PREFIX_LIMIT, PREFIX_TTL_S, SEEN_TTL_S, type DeviceState, type IdentityEvent } from '../../src/pipeline/identity/plan.js';
import { prefixEntry } from '../../src/pipeline/identity/prefix-kept.js';
import { NOW } from '../fakes.js';

const topics = topicNames('t');
// The keys of one events partition: the plan is that partition's devices'.
const keys = identityKeys('t', topics.events, 4);
const partitionKeys = `t:${partitionTag(topics.events, 4)}:`;
const ctx = { keys, topics };
let counter = 0;

function event(anonymousId: string, sessionId: string, extra: Record<string, unknown> = {}): IdentityEvent {
  counter++;
  const e = {
    schemaVersion: 1,
    eventId: `evt-${counter}`,
    anonymousId,
    sessionId,
    timestamp: NOW + counter,
    page: { url: 'https://shop.example/', referrer: '' },
    type: 'page_view',
    ingest: { siteKey: 'site', receivedAt: NOW + counter + 1, ingestedAt: NOW + counter + 2 },
    ...extra,
  } as unknown as IngestedEvent;
  return { event: e, raw: JSON.stringify(e) };
}
const identify = (anonymousId: string, sessionId: string, userId: string) => event(anonymousId, sessionId, { type: 'identify', userId });
/** A click on a product: an event with a product signal, which the prefix always keeps. */
/** Every key the commands name: the first argument, and every argument of a DEL. */
const keysNamed = (commands: readonly string[][]): string[] => commands.flatMap((c) => (c[0] === 'DEL' ? c.slice(1) : [c[1] as string]));
const productClick = (anonymousId: string, sessionId: string, productId = 'sku-1') => event(anonymousId, sessionId, { type: 'click', element: { tag: 'a' }, product: { id: productId } });
const kept = (e: IdentityEvent) => prefixEntry(e.event);
const byUser = (plan: ReturnType<typeof planIdentity>) =>
  plan.records.filter((r) => r.topic === topics.eventsByUser).map((r) => {
    const value = JSON.parse(r.value as string) as { eventId: string; canonicalId: string; attribution?: string };
    return { key: r.key, eventId: value.eventId, canonicalId: value.canonicalId, attribution: value.attribution };
  });

describe('planIdentity', () => {
  it("keys an unknown device by its device ref and keeps its session as the prefix", () => {
    const a = event('anon-a', 's1');
    const plan = planIdentity([a], new Map(), new Map(), ctx);
    expect(byUser(plan)).toEqual([{ key: 'a:anon-a', eventId: a.event.eventId, canonicalId: 'a:anon-a', attribution: undefined }]);
    const at = a.event.timestamp;
    expect(plan.commands).toContainEqual(['SET', keys.prefixSession('anon-a'), encodeDeviceSession('s1', 'direct', { latestAt: at, tailIsLatest: true }), 'EX', expect.any(String)]);
    expect(plan.commands).toContainEqual(['RPUSH', keys.prefixEvents('anon-a'), kept(a)]);
    expect(plan.links).toEqual([]);
  });

  it('links at a login mid-session, re-sends the anonymous prefix under the user, and keys what follows by the user', () => {
    const before = [productClick('anon-a', 's1'), event('anon-a', 's1')];
    const login = identify('anon-a', 's1', 'user-1');
    const after = event('anon-a', 's1');
    const plan = planIdentity([...before, login, after], new Map(), new Map(), ctx);
    expect(byUser(plan)).toEqual([
      { key: 'a:anon-a', eventId: before[0]!.event.eventId, canonicalId: 'a:anon-a', attribution: undefined },
      { key: 'a:anon-a', eventId: before[1]!.event.eventId, canonicalId: 'a:anon-a', attribution: undefined },
      { key: 'u:user-1', eventId: before[0]!.event.eventId, canonicalId: 'u:user-1', attribution: 'prefix' },
      { key: 'u:user-1', eventId: before[1]!.event.eventId, canonicalId: 'u:user-1', attribution: 'prefix' },
      { key: 'u:user-1', eventId: login.event.eventId, canonicalId: 'u:user-1', attribution: undefined },
      { key: 'u:user-1', eventId: after.event.eventId, canonicalId: 'u:user-1', attribution: undefined },
    ]);
    const identity = plan.records.filter((r) => r.topic === topics.identity);
    expect(identity).toEqual([{ topic: topics.identity, key: 'anon-a', value: JSON.stringify({ userId: 'user-1', linkedAt: login.event.timestamp }) }]);
    expect(plan.commands).toContainEqual(['SET', keys.link('anon-a'), 'user-1']);
    // The user's side of the link (its devices) is its profile's, kept where its re-keyed records land: nothing of the user is written here.
    expect(keysNamed(plan.commands).filter((key) => !key.startsWith(partitionKeys))).toEqual([]);
    expect(keysNamed(plan.commands).filter((key) => key.includes('user-1'))).toEqual([]);
    // Once linked, nothing more is kept as a prefix: the last prefix command is its removal.
    const prefixCommands = plan.commands.filter((c) => c[1] === keys.prefixEvents('anon-a'));
    expect(prefixCommands.at(-1)).toEqual(['DEL', keys.prefixEvents('anon-a')]);
    // And the device's session is stored without the prefix's progress.
    expect(plan.commands).toContainEqual(['SET', keys.prefixSession('anon-a'), encodeDeviceSession('s1', 'direct'), 'EX', String(PREFIX_TTL_S)]);
  });

  it('re-sends the stored prefix of earlier batches, but only the events of the open session', () => {
    const earlier = [event('anon-a', 's2'), event('anon-a', 's2')];
    const stored: DeviceState = { userId: undefined, sessionId: 's2', prefix: earlier.map((e) => e.raw) };
    const plan = planIdentity([identify('anon-a', 's2', 'user-1')], new Map([['anon-a', stored]]), new Map(), ctx);
    expect(byUser(plan).filter((r) => r.attribution === 'prefix').map((r) => r.eventId)).toEqual(earlier.map((e) => e.event.eventId));

    const newSession = planIdentity([identify('anon-a', 's3', 'user-1')], new Map([['anon-a', stored]]), new Map(), ctx);
    expect(byUser(newSession).filter((r) => r.attribution === 'prefix')).toEqual([]);
    expect(newSession.commands).toContainEqual(['DEL', keys.prefixEvents('anon-a')]);
  });

  it('keeps at most the prefix limit, the most recent events', () => {
    const events = [productClick('anon-a', 's1'), productClick('anon-a', 's1'), productClick('anon-a', 's1'), identify('anon-a', 's1', 'user-1')];
    const plan = planIdentity(events, new Map(), new Map(), { ...ctx, prefixLimit: 2 });
    expect(byUser(plan).filter((r) => r.attribution === 'prefix').map((r) => r.eventId)).toEqual([events[1]!.event.eventId, events[2]!.event.eventId]);
    const anonymous = planIdentity(events.slice(0, 3), new Map(), new Map(), { ...ctx, prefixLimit: 2 });
    const key = keys.prefixEvents('anon-a');
    // A device never seen starts its session's prefix afresh.
    expect(anonymous.commands.filter((c) => c[1] === key)).toEqual([
      ['DEL', key],
      ['RPUSH', key, kept(events[1]!), kept(events[2]!)],
      ['LTRIM', key, '-2', '-1'],
      ['EXPIRE', key, String(PREFIX_TTL_S)],
    ]);
  });

  it('changes a stored prefix once per batch: cleared at a new session, then the events after it appended in one push', () => {
    const events = [event('anon-a', 's1'), productClick('anon-a', 's2'), productClick('anon-a', 's2')];
    const stored: DeviceState = { userId: undefined, sessionId: 's1', prefixProgress: { latestAt: NOW, tailIsLatest: true }, prefix: [] };
    const plan = planIdentity(events, new Map([['anon-a', stored]]), new Map(), ctx);
    const key = keys.prefixEvents('anon-a');
    expect(plan.commands.filter((c) => c[1] === key).map((c) => c.slice(0, 4))).toEqual([
      ['DEL', key],
      ['RPUSH', key, kept(events[1]!), kept(events[2]!)],
      ['LTRIM', key, String(-PREFIX_LIMIT), '-1'],
      ['EXPIRE', key, String(PREFIX_TTL_S)],
    ]);
  });

  it('relinks a device to another user from that event on, without re-sending anything', () => {
    const stored: DeviceState = { userId: 'user-1', sessionId: 's1', prefix: [] };
    const relogin = identify('anon-a', 's1', 'user-2');
    const plan = planIdentity([event('anon-a', 's1'), relogin, event('anon-a', 's1')], new Map([['anon-a', stored]]), new Map(), ctx);
    expect(byUser(plan).map((r) => r.key)).toEqual(['u:user-1', 'u:user-2', 'u:user-2']);
    expect(byUser(plan).some((r) => r.attribution === 'prefix')).toBe(false);
    // The users' device sets are their profiles' (by-user partitions): a relink writes neither user's keys here.
    expect(keysNamed(plan.commands).filter((key) => !key.startsWith(partitionKeys) || key.includes('user-'))).toEqual([]);
    expect(plan.commands).toContainEqual(['SET', keys.link('anon-a'), 'user-2']);
    expect(plan.links).toEqual([{ anonymousId: 'anon-a', userId: 'user-2' }]);
  });

  it('does not link again when a device repeats the user it is linked to (a duplicate identify)', () => {
    const stored: DeviceState = { userId: 'user-1', sessionId: 's1', prefix: [] };
    const plan = planIdentity([identify('anon-a', 's1', 'user-1')], new Map([['anon-a', stored]]), new Map(), ctx);
    expect(plan.links).toEqual([]);
    expect(plan.records.filter((r) => r.topic === topics.identity)).toEqual([]);
  });

  it("names user ids and anonymous ids apart, whatever they hold: a user id equal to a device's id, or shaped like a ref", () => {
    const plan = planIdentity([identify('anon-a', 's1', 'anon-b'), event('anon-b', 's2'), identify('anon-c', 's3', 'a:anon-b')], new Map(), new Map(), ctx);
    expect(byUser(plan).map((r) => r.canonicalId)).toEqual(['u:anon-b', 'a:anon-b', 'u:a%3Aanon-b']);
    expect(new Set(byUser(plan).map((r) => r.key)).size).toBe(3);
  });

  it('keeps the links of the batch\'s linked devices for the user profile\'s quiet period', () => {
    const stored: DeviceState = { userId: 'user-1', sessionId: 's1', prefix: [] };
    const plan = planIdentity([event('anon-a', 's1'), identify('anon-b', 's2', 'user-2'), event('anon-c', 's3')], new Map([['anon-a', stored]]), new Map(), { ...ctx, linkTtlSeconds: 4242 });
    expect(plan.commands.filter((c) => c[0] === 'EXPIRE' && !c[1]?.includes(':identity:prefix:'))).toEqual([
      ['EXPIRE', keys.link('anon-a'), '4242'],
      ['EXPIRE', keys.link('anon-b'), '4242'],
    ]);
    // After the link is set: an EXPIRE before the SET would be undone by it.
    const set = plan.commands.findIndex((c) => c[0] === 'SET' && c[1] === keys.link('anon-b'));
    expect(plan.commands.findIndex((c) => c[0] === 'EXPIRE' && c[1] === keys.link('anon-b'))).toBeGreaterThan(set);
  });

  it("keeps a quiet device's prefix no longer than it is told (a session's own state)", () => {
    const plan = planIdentity([productClick('anon-a', 's1')], new Map(), new Map(), { ...ctx, prefixTtlSeconds: 7 });
    expect(plan.commands).toContainEqual(['SET', keys.prefixSession('anon-a'), expect.any(String), 'EX', '7']);
    expect(plan.commands).toContainEqual(['EXPIRE', keys.prefixEvents('anon-a'), '7']);
  });

  it('links several devices to one user', () => {
    const plan = planIdentity([identify('anon-a', 's1', 'user-1'), identify('anon-b', 's9', 'user-1')], new Map(), new Map(), ctx);
    expect(plan.links).toEqual([
      { anonymousId: 'anon-a', userId: 'user-1' },
      { anonymousId: 'anon-b', userId: 'user-1' },
    ]);
  });

  it('re-keys a copy of an event once: a copy arriving after the login is dropped, not sent under the user', () => {
    const view = productClick('anon-a', 's1');
    const login = identify('anon-a', 's1', 'user-1');
    // An SDK retry after a lost answer: the same events again, the view now behind the login.
    const plan = planIdentity([view, login, view, login], new Map(), new Map(), ctx);
    expect(byUser(plan).filter((r) => r.attribution === undefined)).toEqual([
      { key: 'a:anon-a', eventId: view.event.eventId, canonicalId: 'a:anon-a', attribution: undefined },
      { key: 'u:user-1', eventId: login.event.eventId, canonicalId: 'u:user-1', attribution: undefined },
    ]);
    expect(plan.duplicates).toBe(2);
    expect(plan.links).toEqual([{ anonymousId: 'anon-a', userId: 'user-1' }]);
    expect(plan.commands).toContainEqual(['SET', keys.seenEvent(view.event.eventId), '1', 'EX', String(SEEN_TTL_S)]);
    expect(plan.commands).toContainEqual(['SET', keys.seenEvent(login.event.eventId), '1', 'EX', String(SEEN_TTL_S)]);
  });

  it('drops the copy of an event an earlier batch re-keyed, and marks the new ones for the dedupe window', () => {
    const stored: DeviceState = { userId: 'user-1', sessionId: 's1', prefix: [] };
    const early = event('anon-a', 's1');
    const fresh = event('anon-a', 's1');
    const plan = planIdentity([early, fresh], new Map([['anon-a', stored]]), new Map(), { ...ctx, rekeyedBefore: new Set([early.event.eventId]), seenTtlSeconds: 99 });
    expect(byUser(plan).map((r) => r.eventId)).toEqual([fresh.event.eventId]);
    expect(plan.duplicates).toBe(1);
    expect(plan.commands.filter((c) => c[1]?.includes(':identity:seen:'))).toEqual([['SET', keys.seenEvent(fresh.event.eventId), '1', 'EX', '99']]);
  });

  it("does not let an old identify's copy link a relinked device back to its earlier user", () => {
    const stored: DeviceState = { userId: 'user-2', sessionId: 's1', prefix: [] };
    const oldLogin = identify('anon-a', 's1', 'user-1');
    const after = event('anon-a', 's1');
    const plan = planIdentity([oldLogin, after], new Map([['anon-a', stored]]), new Map(), { ...ctx, rekeyedBefore: new Set([oldLogin.event.eventId]) });
    expect(plan.links).toEqual([]);
    expect(byUser(plan).map((r) => r.key)).toEqual(['u:user-2']);
  });

  it('drops events of an erased person ingested before the erasure, and keeps those ingested after', () => {
    const inFlight = identify('anon-a', 's1', 'user-1');
    const erasedAt = (inFlight.event.ingest.ingestedAt as number) + 1;
    const later = event('anon-a', 's1', { ingest: { siteKey: 'site', receivedAt: erasedAt + 5, ingestedAt: erasedAt + 10 } });
    const plan = planIdentity([inFlight, later], new Map(), new Map([['u:user-1', erasedAt]]), ctx);
    expect(plan.erased).toBe(1);
    expect(plan.links).toEqual([]);
    expect(byUser(plan).map((r) => r.eventId)).toEqual([later.event.eventId]);
  });
});

describe('what the anonymous prefix keeps', () => {
  /** An event of anon-k's session s1 at `ms` (event time: the edge received it later). */
  const at = (ms: number, extra: Record<string, unknown> = {}) => event('anon-k', 's1', { timestamp: NOW + ms, ingest: { siteKey: 'site', receivedAt: NOW + ms + 50, ingestedAt: NOW + ms + 60 }, ...extra });
  const viewAt = (ms: number, productId = 'sku-1') => at(ms, { type: 'click', element: { tag: 'a' }, product: { id: productId } });
  const key = keys.prefixEvents('anon-k');
  const pushed = (plan: ReturnType<typeof planIdentity>) => plan.commands.filter((c) => c[1] === key && c[0] !== 'LTRIM' && c[0] !== 'EXPIRE');
  const resent = (plan: ReturnType<typeof planIdentity>) => byUser(plan).filter((r) => r.attribution === 'prefix').map((r) => r.eventId);
  const session = (plan: ReturnType<typeof planIdentity>) => plan.commands.find((c) => c[0] === 'SET' && c[1] === keys.prefixSession('anon-k'))?.[2];

  it('drops an event without product signals that is no later than the latest one', () => {
    const landing = at(10);
    const events = [landing, at(5, { type: 'scroll', depth: 50 }), at(10, { type: 'click', element: { tag: 'button' } })];
    const plan = planIdentity(events, new Map(), new Map(), ctx);
    expect(pushed(plan)).toEqual([['DEL', key], ['RPUSH', key, kept(landing)]]);
    expect(resent(planIdentity([...events, identify('anon-k', 's1', 'user-k')], new Map(), new Map(), ctx))).toEqual([landing.event.eventId]);
  });

  it('holds only the latest of the events without product signals, replacing it at the tail, within a batch and across batches', () => {
    const first = [at(10), at(20, { type: 'scroll', depth: 30 })];
    const plan = planIdentity(first, new Map(), new Map(), ctx);
    expect(pushed(plan)).toEqual([['DEL', key], ['RPUSH', key, kept(first[1]!)]]);
    expect(session(plan)).toBe(encodeDeviceSession('s1', 'direct', { latestAt: NOW + 20, tailIsLatest: true }));

    // The next batch reads the progress back with the session, not the list: the stored tail is popped.
    const stored: DeviceState = { userId: undefined, ...decodeDeviceSession(session(plan) as string), prefix: [] };
    const later = at(30, { type: 'dwell', activeMs: 1000 });
    const next = planIdentity([later], new Map([['anon-k', stored]]), new Map(), ctx);
    expect(pushed(next)).toEqual([['RPOP', key], ['RPUSH', key, kept(later)]]);
    // A login in that batch re-sends the list as it is then.
    const login = planIdentity([later, identify('anon-k', 's1', 'user-k')], new Map([['anon-k', { ...stored, prefix: [kept(first[1]!)] }]]), new Map(), ctx);
    expect(resent(login)).toEqual([later.event.eventId]);
  });

  it('keeps every event with product signals in order, and the latest event when a product event is not the latest', () => {
    const landing = at(10);
    const earlierView = viewAt(5, 'sku-1');
    const scroll = at(11, { type: 'scroll', depth: 80 });
    const cart = at(12, { type: 'track', name: 'add_to_cart', props: { productId: 'sku-2' } });
    const noise = at(12, { type: 'track', name: 'custom_thing', props: { productId: 'sku-3' } });
    const plan = planIdentity([landing, earlierView, scroll, cart, noise], new Map(), new Map(), ctx);
    // The landing stays (a product event with an earlier clock does not reach its time); the scroll is replaced by the cart at a later time.
    expect(pushed(plan)).toEqual([['DEL', key], ['RPUSH', key, kept(landing), kept(earlierView), kept(cart)]]);
    expect(session(plan)).toBe(encodeDeviceSession('s1', 'direct', { latestAt: NOW + 12, tailIsLatest: false }));
  });

  it('measures lateness by event time: a visitor clock ahead of the edge counts as the edge\'s arrival time', () => {
    const landing = at(10);
    const ahead = at(0, { type: 'scroll', depth: 10, timestamp: NOW + 1_000_000, ingest: { siteKey: 'site', receivedAt: NOW + 9, ingestedAt: NOW + 10 } });
    expect(pushed(planIdentity([landing, ahead], new Map(), new Map(), ctx))).toEqual([['DEL', key], ['RPUSH', key, kept(landing)]]);
  });

  it('re-sends a stored prefix written before the projection (raw events, no progress) as it is, and starts the progress after it', () => {
    const old = [at(1), at(2)];
    const stored: DeviceState = { userId: undefined, ...decodeDeviceSession(encodeDeviceSession('s1', 'direct')), prefix: old.map((e) => e.raw) };
    const next = at(3);
    const plan = planIdentity([next], new Map([['anon-k', stored]]), new Map(), ctx);
    expect(pushed(plan)).toEqual([['RPUSH', key, kept(next)]]);
    const login = planIdentity([next, identify('anon-k', 's1', 'user-k')], new Map([['anon-k', stored]]), new Map(), ctx);
    expect(resent(login)).toEqual([...old, next].map((e) => e.event.eventId));
  });
});

describe('devicesToLink', () => {
  it('names the anonymous devices with an event carrying a user id', () => {
    const events = [event('anon-a', 's1'), identify('anon-b', 's1', 'u'), identify('anon-c', 's1', 'u')];
    expect(devicesToLink(events, new Map([['anon-c', 'u']]))).toEqual(['anon-b']);
  });
});

describe('the session\'s traffic source on re-keyed records', () => {
  const sourceOf = (plan: ReturnType<typeof planIdentity>) =>
    plan.records.filter((r) => r.topic === topics.eventsByUser).map((r) => (JSON.parse(r.value as string) as { source?: string }).source);

  it('stamps every record of a session with its landing page view\'s source, after a login too', () => {
    const landing = event('anon-s', 's9', { page: { url: 'https://shop.example/?utm_source=Newsletter', referrer: 'https://mail.example/' } });
    const view = event('anon-s', 's9', { type: 'click', product: { id: 'sku-1' }, page: { url: 'https://shop.example/p/1', referrer: 'https://shop.example/' } });
    const login = identify('anon-s', 's9', 'user-s');
    const later = event('anon-s', 's9', { page: { url: 'https://shop.example/cart', referrer: 'https://shop.example/p/1' } });
    const plan = planIdentity([landing, view, login, later], new Map(), new Map(), ctx);
    // The anonymous two, the prefix re-sent (the product view, later than the landing: not stamped, it only feeds the profile), then the login and the page after it.
    expect(sourceOf(plan)).toEqual(['newsletter', 'newsletter', undefined, 'newsletter', 'newsletter']);
    expect(plan.commands).toContainEqual(['SET', keys.prefixSession('anon-s'), encodeDeviceSession('s9', 'newsletter'), 'EX', expect.any(String)]);
  });

  it('keeps the source across batches and starts over with a new session', () => {
    const stored: DeviceState = { userId: 'user-s', sessionId: 's9', source: 'google.com', prefix: [] };
    const same = planIdentity([event('anon-s', 's9', { page: { url: 'https://shop.example/p/2', referrer: 'https://shop.example/' } })], new Map([['anon-s', stored]]), new Map(), ctx);
    expect(sourceOf(same)).toEqual(['google.com']);
    const next = planIdentity([event('anon-s', 's10', { type: 'click' }), event('anon-s', 's10', { page: { url: 'https://shop.example/', referrer: 'https://bing.com/' } })], new Map([['anon-s', stored]]), new Map(), ctx);
    // A new session's events before its first page view have no source yet.
    expect(sourceOf(next)).toEqual([undefined, 'bing.com']);
  });

  it('reads the stored session back, including one written before sources were kept', () => {
    expect(decodeDeviceSession(encodeDeviceSession('s1', 'direct'))).toEqual({ sessionId: 's1', source: 'direct' });
    expect(decodeDeviceSession(encodeDeviceSession('s1', undefined))).toEqual({ sessionId: 's1', source: undefined });
    expect(decodeDeviceSession('plain-session-id')).toEqual({ sessionId: 'plain-session-id', source: undefined });
    expect(decodeDeviceSession(null)).toEqual({ sessionId: undefined, source: undefined });
    const progress = { latestAt: NOW, tailIsLatest: true };
    expect(decodeDeviceSession(encodeDeviceSession('s1', undefined, progress))).toEqual({ sessionId: 's1', source: undefined, prefixProgress: progress });
    expect(decodeDeviceSession(encodeDeviceSession('s1', 'direct', { ...progress, tailIsLatest: false }))).toEqual({ sessionId: 's1', source: 'direct', prefixProgress: { ...progress, tailIsLatest: false } });
  });
});
