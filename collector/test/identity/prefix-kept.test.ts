/**
 * The prefix keeps fewer events, and fewer fields of them, than the device
 * sent: re-sending what it kept must leave the user's profile as re-sending
 * every raw event would. Checked on the aggregates stage's own commands.
 */
import { describe, expect, it } from 'vitest';
import { topicNames, userRef, type IngestedEvent } from '@sessionflow/core';
import { readEvent } from '../../src/pipeline/event-record.js';
import { eventCommands, PLANNER_SCRIPT, type RedisCommand } from '../../src/pipeline/commands.js';
import { decodeDeviceSession, devicesToLink, planIdentity, type DeviceState, type IdentityEvent } from '../../src/pipeline/identity/plan.js';
import { byUserValue, type ByUserEvent } from '../../src/pipeline/identity/records.js';
import { identityKeys } from '../../src/store/identity-keys.js';
import { storeKeys } from '../../src/store/keys.js';
import { NOW } from '../fakes.js';

const topics = topicNames('t');
// The device's events partition keeps its prefix; the user's by-user partition its profile.
const idKeys = identityKeys('t', topics.events, 0);
const keys = storeKeys('t', topics.eventsByUser, 1);
const ANON = 'anon-eeeeeeee';
const USER = 'user-e';
const CATEGORIES: Readonly<Record<string, string>> = { 'sku-b': 'outdoor', 'sku-d': 'tools', 'sku-e': 'tools' };

let counter = 0;
/** An anonymous event of the session at `ms` after NOW, received by the edge `lag` ms later. */
function at(ms: number, fields: Record<string, unknown>, lag = 5): IdentityEvent {
  counter++;
  const event = {
    schemaVersion: 1,
    eventId: `evt-prefix-${String(counter).padStart(4, '0')}`,
    anonymousId: ANON,
    sessionId: 'sess-eeeeeeee',
    seq: counter,
    timestamp: NOW + ms,
    page: { url: `https://shop.example/p/${counter}`, referrer: 'https://shop.example/', title: 'A page', pageViewId: 'pv-eeeeeeee' },
    ingest: { siteKey: 'site-key', receivedAt: NOW + ms + lag, ingestedAt: NOW + ms + lag + 3, device: 'mobile' },
    ...fields,
  } as unknown as IngestedEvent;
  return { event, raw: JSON.stringify(event) };
}

/** A session's anonymous events, clocks out of order in places, then the login. */
function session(): { anonymous: IdentityEvent[]; login: IdentityEvent } {
  const anonymous = [
    at(100, { type: 'page_view', page: { url: 'https://shop.example/?utm_source=mail', referrer: '' } }),
    at(110, { type: 'scroll', depth: 40 }),
    at(120, { type: 'click', element: { tag: 'button', text: 'Menu' } }),
    at(130, { type: 'click', element: { tag: 'a', href: '/p/a' }, product: { id: 'sku-a', category: 'garden', slot: 'hero' } }),
    at(135, { type: 'impression', product: { id: 'sku-z', category: 'garden' } }),
    at(140, { type: 'track', name: 'product_view', props: { productId: ' sku-b ', price: 12.5, variant: 'red' } }),
    at(150, { type: 'dwell', activeMs: 4_000 }),
    // A clock set back: an add to cart with an earlier time than the dwell before it.
    at(145, { type: 'track', name: 'add_to_cart', props: { productId: 'sku-c', category: 'kitchen', quantity: 2 } }),
    at(160, { type: 'track', name: 'purchase', props: { orderId: 'o-1', items: [{ productId: 'sku-a', price: 10 }, { productId: 'sku-d' }, 'junk', { name: 'no id' }, null], productIds: ['sku-e', 7, 'sku-a'] } }),
    at(165, { type: 'exposure', actionId: 'recs-1', experiment: 'recs-strategy', variant: 'similar' }),
    // A visitor clock far ahead: its event time is the edge's arrival, the latest of the session.
    at(10_000_000, { type: 'scroll', depth: 90 }, -10_000_000 + 178),
    at(168, { type: 'track', name: 'search', props: { query: 'hose' } }),
    at(169, { type: 'page_view' }),
  ];
  const login = at(175, { type: 'identify', userId: USER, traits: { plan: 'gold' } });
  return { anonymous, login };
}

const commandsOf = (records: readonly string[]) =>
  eventCommands(
    records.map((r) => readEvent(r) as ByUserEvent),
    { keys, seenTtlSeconds: 60, categoryOf: (id) => CATEGORIES[id] },
  );

/**
 * The profile state the commands leave, as commands: without the dedupe marks
 * (one per re-sent event: fewer events re-sent, fewer marks) and with repeats of
 * the same HSET (a value set again) once.
 */
function profileState(commands: readonly RedisCommand[]): RedisCommand[] {
  const seen = new Set<string>();
  return commands.filter((c) => {
    if (c[0] === 'SET' && (c[1] as string).startsWith(keys.seenEvent(''))) return false;
    if (c[0] !== 'HSET') return true;
    const text = JSON.stringify(c);
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

const prefixRecords = (plan: ReturnType<typeof planIdentity>) =>
  plan.records.filter((r) => r.topic === topics.eventsByUser && (JSON.parse(r.value as string) as ByUserEvent).attribution === 'prefix').map((r) => r.value as string);

/** The identity stage over one event per batch, with the device's keys kept as Redis would (the list read only for a device about to link). */
function oneEventPerBatch(events: readonly IdentityEvent[]): string[] {
  let sessionValue: string | null = null;
  let link: string | undefined;
  let list: string[] = [];
  const resent: string[] = [];
  for (const e of events) {
    const device: DeviceState = { userId: link, ...decodeDeviceSession(sessionValue), prefix: [] };
    if (devicesToLink([e], new Map([[ANON, link]])).includes(ANON)) device.prefix = [...list];
    const plan = planIdentity([e], new Map([[ANON, device]]), new Map(), { keys: idKeys, topics });
    resent.push(...prefixRecords(plan));
    for (const c of plan.commands) {
      if (c[1] === idKeys.prefixSession(ANON) && c[0] === 'SET') sessionValue = c[2] as string;
      if (c[1] === idKeys.link(ANON) && c[0] === 'SET') link = c[2];
      if (c[1] !== idKeys.prefixEvents(ANON)) continue;
      if (c[0] === 'DEL') list = [];
      if (c[0] === 'RPOP') list.pop();
      if (c[0] === 'RPUSH') list.push(...c.slice(2));
      if (c[0] === 'LTRIM') list = list.slice(Number(c[2]));
    }
  }
  return resent;
}

describe('the anonymous prefix as kept', () => {
  const { anonymous, login } = session();
  const everyRaw = anonymous.map((e) => byUserValue(e.raw, userRef(USER), 'prefix'));
  const kept = prefixRecords(planIdentity([...anonymous, login], new Map(), new Map(), { keys: idKeys, topics }));

  it('keeps the product events and the latest one, fewer than were sent', () => {
    const keptIds = kept.map((r) => (JSON.parse(r) as ByUserEvent).eventId);
    const expected = [3, 5, 6, 7, 8, 10].map((i) => anonymous[i]!.event.eventId);
    expect(keptIds).toEqual(expected);
    expect(kept.join('').length).toBeLessThan(everyRaw.join('').length / 3);
  });

  it('re-sends records that the aggregates stage reads as prefix records', () => {
    for (const record of kept) {
      const event = readEvent(record) as ByUserEvent | null;
      expect(event).not.toBeNull();
      expect(event).toMatchObject({ canonicalId: userRef(USER), attribution: 'prefix', anonymousId: ANON, sessionId: 'sess-eeeeeeee' });
    }
  });

  it('gives the user\'s profile the same state as re-sending every raw event', () => {
    const fromRaw = commandsOf(everyRaw);
    const fromKept = commandsOf(kept);
    expect(profileState(fromKept)).toEqual(profileState(fromRaw));
    // The change is not empty: sessions and updatedAt (the script), devices, the user id, affinities, both lists, the index and the bounds are all there,
    // and the session's recommendation sequence and time (RPUSH, SET) in the user's partition.
    expect(new Set(profileState(fromKept).map((c) => c[0]))).toEqual(new Set([PLANNER_SCRIPT, 'HSET', 'HINCRBYFLOAT', 'ZADD', 'SADD', 'LREM', 'LPUSH', 'LTRIM', 'ZREMRANGEBYRANK', 'ZREMRANGEBYSCORE', 'EXPIRE', 'RPUSH', 'SET']));
    // Every mark the kept records set, the raw ones set too.
    const marks = (commands: RedisCommand[]) => commands.filter((c) => c[0] === 'SET').map((c) => c[1]);
    expect(marks(fromRaw)).toEqual(expect.arrayContaining(marks(fromKept)));
  });

  it('gives the same state with the login that follows the prefix', () => {
    const loginRecord = byUserValue(login.raw, userRef(USER));
    expect(profileState(commandsOf([...kept, loginRecord]))).toEqual(profileState(commandsOf([...everyRaw, loginRecord])));
  });

  it('keeps the same, however the device\'s events are cut into batches', () => {
    expect(oneEventPerBatch([...anonymous, login])).toEqual(kept);
  });
});
