/**
 * Applies one `sf.events` partition batch in the identity stage, with the
 * exactly-once pattern of ../apply.ts on the stage's own offsets:
 * WATCH the offset and what the plan reads, plan, PRODUCE the by-user and
 * identity records, then ONE MULTI/EXEC with the graph changes and the offset.
 *
 * Producing before the transaction means a crash (or a refused EXEC) between
 * the two re-produces the batch on the next attempt: `sf.events.by-user` may
 * carry a record twice, and the aggregates stage counts it once by its event id
 * (prefix records by event id and canonical id). `sf.identity` is compacted and
 * a link's value is derived from its event, so a repeat is the same record.
 * The reverse order could lose records: the offset would cover events whose
 * re-keyed copies never reached Kafka.
 */
import { WatchError } from 'redis';
import type { StoreClient } from '../../store/client.js';
import type { IdentityKeys } from '../../store/identity-keys.js';
import { readEvent, type BatchOutcome, type TopicBatch } from '../apply.js';
import { erasedNow, idsOf, watchErasureMarks } from './erased.js';
import { devicesToLink, planIdentity, type DeviceState, type IdentityEvent } from './plan.js';
import type { KeyedRecord } from './records.js';

/** Sends records and resolves once Kafka acknowledged all of them (acks=all), in the order given per partition. */
export type SendRecords = (records: readonly KeyedRecord[]) => Promise<void>;

export interface IdentityApplyDeps {
  redis: StoreClient;
  keys: IdentityKeys;
  topics: { events: string; eventsByUser: string; identity: string };
  send: SendRecords;
  prefixLimit?: number;
  maxAttempts?: number;
}

export interface IdentityOutcome extends BatchOutcome {
  /** Events re-keyed to `sf.events.by-user` (prefix re-sends not included). */
  rekeyed: number;
  links: number;
  erased: number;
}

export async function applyIdentityBatch(deps: IdentityApplyDeps, batch: TopicBatch): Promise<IdentityOutcome> {
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await attempt_(deps, batch);
    } catch (error) {
      if (!(error instanceof WatchError) || attempt >= maxAttempts) throw error;
    }
  }
}

async function attempt_(deps: IdentityApplyDeps, batch: TopicBatch): Promise<IdentityOutcome> {
  const { redis, keys } = deps;
  if (batch.topic !== deps.topics.events) throw new Error(`the identity stage does not consume ${batch.topic}`);
  const offsetKey = keys.offset(batch.topic, batch.partition);
  await redis.watch(offsetKey);
  const stored = await redis.get(offsetKey);
  const from = stored === null ? -1n : BigInt(stored);
  const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
  const outcome: IdentityOutcome = { applied: fresh.length, replayed: batch.messages.length - fresh.length, duplicates: 0, unreadable: 0, rekeyed: 0, links: 0, erased: 0 };
  const last = fresh.at(-1);
  if (last === undefined) {
    await redis.unwatch();
    return outcome;
  }

  const events: IdentityEvent[] = [];
  for (const m of fresh) {
    const event = m.value === null ? null : readEvent(m.value);
    if (event === null || m.value === null) outcome.unreadable++;
    else events.push({ event, raw: m.value });
  }

  const devices = await watchDevices(deps, events);
  const marks = await watchErasureMarks(redis, keys, events.flatMap(({ event }) => idsOf(event)));
  const plan = planIdentity(events, devices, marks, { keys, topics: deps.topics, ...(deps.prefixLimit === undefined ? {} : { prefixLimit: deps.prefixLimit }) });
  outcome.links = plan.links.length;
  outcome.erased = plan.erased;
  outcome.rekeyed = events.length - plan.erased;

  if (plan.records.length > 0) await deps.send(plan.records);
  await tombstoneErasedLinks(deps, plan.links);

  const transaction = redis.multi();
  for (const command of plan.commands) transaction.addCommand(command);
  transaction.addCommand(['SET', offsetKey, String(BigInt(last.offset) + 1n)]);
  await transaction.exec();
  return outcome;
}

/** WATCHes and reads the link and prefix session of every device in the batch, and the stored prefix of those that may be linked now. */
async function watchDevices(deps: IdentityApplyDeps, events: readonly IdentityEvent[]): Promise<Map<string, DeviceState>> {
  const { redis, keys } = deps;
  const anons = [...new Set(events.map(({ event }) => event.anonymousId))];
  const devices = new Map<string, DeviceState>();
  if (anons.length === 0) return devices;
  const linkKeys = anons.map((a) => keys.link(a));
  const sessionKeys = anons.map((a) => keys.prefixSession(a));
  // The partition's owner is the only writer of these besides an erasure; WATCH makes an erasure in between refuse the EXEC.
  await redis.watch([...linkKeys, ...sessionKeys]);
  const [links, sessions] = await Promise.all([redis.mGet(linkKeys), redis.mGet(sessionKeys)]);
  const linked = new Map<string, string | undefined>();
  anons.forEach((anon, i) => {
    const userId = links[i] ?? undefined;
    linked.set(anon, userId);
    devices.set(anon, { userId, sessionId: sessions[i] ?? undefined, prefix: [] });
  });
  const toLink = devicesToLink(events, linked);
  const prefixes = await Promise.all(toLink.map((anon) => redis.lRange(keys.prefixEvents(anon), 0, -1)));
  toLink.forEach((anon, i) => {
    const device = devices.get(anon);
    if (device) device.prefix = prefixes[i] ?? [];
  });
  return devices;
}

/**
 * An erasure may have removed a link between our read and our send: its
 * tombstone could then precede our link record in the compacted topic and the
 * link would come back. The erasure sets its marker before it sends its
 * tombstones, so a marker seen after our send is answered with one more
 * tombstone, and a marker set after this check is followed by the erasure's own.
 */
async function tombstoneErasedLinks(deps: IdentityApplyDeps, links: readonly { anonymousId: string; userId: string }[]): Promise<void> {
  if (links.length === 0) return;
  const erased = await erasedNow(deps.redis, deps.keys, [...new Set(links.flatMap((l) => [l.anonymousId, l.userId]))]);
  if (erased.size === 0) return;
  const tombstones = links.filter((l) => erased.has(l.anonymousId) || erased.has(l.userId)).map((l): KeyedRecord => ({ topic: deps.topics.identity, key: l.anonymousId, value: null }));
  await deps.send(tombstones);
}
