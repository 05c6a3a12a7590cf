import { describe, expect, it } from 'vitest';
import { topicNames, type IngestedEvent } from '@sessionflow/core';
import { identityKeys } from '../../src/store/identity-keys.js';
import { decodeDeviceSession, devicesToLink, encodeDeviceSession, planIdentity, PREFIX_LIMIT, PREFIX_TTL_S, type DeviceState, type IdentityEvent } from '../../src/pipeline/identity/plan.js';
import { NOW } from '../fakes.js';

const keys = identityKeys('t');
const topics = topicNames('t');
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
const byUser = (plan: ReturnType<typeof planIdentity>) =>
  plan.records.filter((r) => r.topic === topics.eventsByUser).map((r) => {
    const value = JSON.parse(r.value as string) as { eventId: string; canonicalId: string; attribution?: string };
    return { key: r.key, eventId: value.eventId, canonicalId: value.canonicalId, attribution: value.attribution };
  });

describe('planIdentity', () => {
  it('keys an unknown device by its anonymous id and keeps its session as the prefix', () => {
    const a = event('anon-a', 's1');
    const plan = planIdentity([a], new Map(), new Map(), ctx);
    expect(byUser(plan)).toEqual([{ key: 'anon-a', eventId: a.event.eventId, canonicalId: 'anon-a', attribution: undefined }]);
    expect(plan.commands).toContainEqual(['SET', keys.prefixSession('anon-a'), encodeDeviceSession('s1', 'direct'), 'EX', expect.any(String)]);
    expect(plan.commands).toContainEqual(['RPUSH', keys.prefixEvents('anon-a'), a.raw]);
    expect(plan.links).toEqual([]);
  });

  it('links at a login mid-session, re-sends the anonymous prefix under the user, and keys what follows by the user', () => {
    const before = [event('anon-a', 's1'), event('anon-a', 's1')];
    const login = identify('anon-a', 's1', 'user-1');
    const after = event('anon-a', 's1');
    const plan = planIdentity([...before, login, after], new Map(), new Map(), ctx);
    expect(byUser(plan)).toEqual([
      { key: 'anon-a', eventId: before[0]!.event.eventId, canonicalId: 'anon-a', attribution: undefined },
      { key: 'anon-a', eventId: before[1]!.event.eventId, canonicalId: 'anon-a', attribution: undefined },
      { key: 'user-1', eventId: before[0]!.event.eventId, canonicalId: 'user-1', attribution: 'prefix' },
      { key: 'user-1', eventId: before[1]!.event.eventId, canonicalId: 'user-1', attribution: 'prefix' },
      { key: 'user-1', eventId: login.event.eventId, canonicalId: 'user-1', attribution: undefined },
      { key: 'user-1', eventId: after.event.eventId, canonicalId: 'user-1', attribution: undefined },
    ]);
    const identity = plan.records.filter((r) => r.topic === topics.identity);
    expect(identity).toEqual([{ topic: topics.identity, key: 'anon-a', value: JSON.stringify({ userId: 'user-1', linkedAt: login.event.timestamp }) }]);
    expect(plan.commands).toContainEqual(['SET', keys.link('anon-a'), 'user-1']);
    expect(plan.commands).toContainEqual(['SADD', keys.userDevices('user-1'), 'anon-a']);
    // Once linked, nothing more is kept as a prefix: the last prefix command is its removal.
    const prefixCommands = plan.commands.filter((c) => c[1] === keys.prefixEvents('anon-a'));
    expect(prefixCommands.at(-1)).toEqual(['DEL', keys.prefixEvents('anon-a')]);
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
    const events = [event('anon-a', 's1'), event('anon-a', 's1'), event('anon-a', 's1'), identify('anon-a', 's1', 'user-1')];
    const plan = planIdentity(events, new Map(), new Map(), { ...ctx, prefixLimit: 2 });
    expect(byUser(plan).filter((r) => r.attribution === 'prefix').map((r) => r.eventId)).toEqual([events[1]!.event.eventId, events[2]!.event.eventId]);
    const anonymous = planIdentity(events.slice(0, 3), new Map(), new Map(), { ...ctx, prefixLimit: 2 });
    const key = keys.prefixEvents('anon-a');
    // A device never seen starts its session's prefix afresh.
    expect(anonymous.commands.filter((c) => c[1] === key)).toEqual([
      ['DEL', key],
      ['RPUSH', key, events[1]!.raw, events[2]!.raw],
      ['LTRIM', key, '-2', '-1'],
      ['EXPIRE', key, String(PREFIX_TTL_S)],
    ]);
  });

  it('changes a stored prefix once per batch: cleared at a new session, then the events after it appended in one push', () => {
    const events = [event('anon-a', 's1'), event('anon-a', 's2'), event('anon-a', 's2')];
    const stored: DeviceState = { userId: undefined, sessionId: 's1', prefix: [] };
    const plan = planIdentity(events, new Map([['anon-a', stored]]), new Map(), ctx);
    const key = keys.prefixEvents('anon-a');
    expect(plan.commands.filter((c) => c[1] === key).map((c) => c.slice(0, 4))).toEqual([
      ['DEL', key],
      ['RPUSH', key, events[1]!.raw, events[2]!.raw],
      ['LTRIM', key, String(-PREFIX_LIMIT), '-1'],
      ['EXPIRE', key, String(PREFIX_TTL_S)],
    ]);
  });

  it('relinks a device to another user from that event on, without re-sending anything', () => {
    const stored: DeviceState = { userId: 'user-1', sessionId: 's1', prefix: [] };
    const relogin = identify('anon-a', 's1', 'user-2');
    const plan = planIdentity([event('anon-a', 's1'), relogin, event('anon-a', 's1')], new Map([['anon-a', stored]]), new Map(), ctx);
    expect(byUser(plan).map((r) => r.key)).toEqual(['user-1', 'user-2', 'user-2']);
    expect(byUser(plan).some((r) => r.attribution === 'prefix')).toBe(false);
    expect(plan.commands).toContainEqual(['SREM', keys.userDevices('user-1'), 'anon-a']);
    expect(plan.commands).toContainEqual(['SET', keys.link('anon-a'), 'user-2']);
    expect(plan.links).toEqual([{ anonymousId: 'anon-a', userId: 'user-2' }]);
  });

  it('does not link again when a device repeats the user it is linked to (a duplicate identify)', () => {
    const stored: DeviceState = { userId: 'user-1', sessionId: 's1', prefix: [] };
    const plan = planIdentity([identify('anon-a', 's1', 'user-1')], new Map([['anon-a', stored]]), new Map(), ctx);
    expect(plan.links).toEqual([]);
    expect(plan.records.filter((r) => r.topic === topics.identity)).toEqual([]);
  });

  it('links several devices to one user', () => {
    const plan = planIdentity([identify('anon-a', 's1', 'user-1'), identify('anon-b', 's9', 'user-1')], new Map(), new Map(), ctx);
    expect(plan.links).toEqual([
      { anonymousId: 'anon-a', userId: 'user-1' },
      { anonymousId: 'anon-b', userId: 'user-1' },
    ]);
  });

  it('drops events of an erased person ingested before the erasure, and keeps those ingested after', () => {
    const inFlight = identify('anon-a', 's1', 'user-1');
    const erasedAt = (inFlight.event.ingest.ingestedAt as number) + 1;
    const later = event('anon-a', 's1', { ingest: { siteKey: 'site', receivedAt: erasedAt + 5, ingestedAt: erasedAt + 10 } });
    const plan = planIdentity([inFlight, later], new Map(), new Map([['user-1', erasedAt]]), ctx);
    expect(plan.erased).toBe(1);
    expect(plan.links).toEqual([]);
    expect(byUser(plan).map((r) => r.eventId)).toEqual([later.event.eventId]);
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
    const view = event('anon-s', 's9', { type: 'click', page: { url: 'https://shop.example/p/1', referrer: 'https://shop.example/' } });
    const login = identify('anon-s', 's9', 'user-s');
    const later = event('anon-s', 's9', { page: { url: 'https://shop.example/cart', referrer: 'https://shop.example/p/1' } });
    const plan = planIdentity([landing, view, login, later], new Map(), new Map(), ctx);
    // The anonymous two, the prefix re-sent (not stamped: it only feeds the profile), then the login and the page after it.
    expect(sourceOf(plan)).toEqual(['newsletter', 'newsletter', undefined, undefined, 'newsletter', 'newsletter']);
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
  });
});
