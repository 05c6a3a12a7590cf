/**
 * Applies one `sf.events` partition batch in the identity stage, with the
 * exactly-once pattern of ../apply.ts on the stage's own offsets:
 * read (and guard) the offset and what the plan reads, plan, PRODUCE the
 * by-user and identity records, then ONE script call with the graph changes
 * and the offset (store/guarded-batch.ts).
 *
 * Producing before the transaction means a crash (or a refused EXEC) between
 * the two re-produces the batch on the next attempt, planned from the same
 * stored state (its marks of re-keyed events included, which the script writes
 * with the offset): `sf.events.by-user` may carry a record twice, in the same
 * partition, and the aggregates stage counts it once by its event id
 * (prefix records by their event id's prefix mark). `sf.identity` is compacted and
 * a link's value is derived from its event, so a repeat is the same record.
 * The reverse order could lose records: the offset would cover events whose
 * re-keyed copies never reached Kafka.
 */
import { deviceRef, userRef, type IngestedEvent } from '@sessionflow/core';
import type { StoreClient } from '../../store/client.js';
import { identityKeys } from '../../store/identity-keys.js';
import type { TopicOwners } from '../../store/owner.js';
import { OwnerMismatchError } from '../../store/owner.js';
import type { BatchOutcome, TopicBatch } from '../apply.js';
import { eventsOf, isDecisionValue } from '../event-record.js';
import { erasedNow, erasureTime, refsOf } from '../../erasure/marked-events.js';
import type { ErasureMarks, MarkKeys } from '../../erasure/marks.js';
import { runGuardedBatch, untilGuardsHold, type Guard } from '../../store/guarded-batch.js';
import { decodeDeviceSession, devicesToLink, planIdentity, type DeviceState, type IdentityEvent } from './plan.js';
import type { KeyedRecord } from './records.js';
import { unappliedRecords } from '../unapplied.js';

/** Sends records and resolves once Kafka acknowledged all of them (acks=all), in the order given per partition. */
export type SendRecords = (records: readonly KeyedRecord[]) => Promise<void>;

export interface IdentityApplyDeps {
  redis: StoreClient;
  /** The deployment's key prefix. */
  prefix: string;
  /** The events topic's partitions: the batch's partition owns its devices' state. */
  owners: TopicOwners;
  /** Erasure markers (../../erasure/marks.ts). */
  marks: ErasureMarks;
  topics: { events: string; eventsByUser: string; identity: string };
  send: SendRecords;
  prefixLimit?: number;
  /** How long a link and a user's device set are kept (the user profile's TTL); the default when absent. */
  linkTtlSeconds?: number;
  /** How long a quiet device's prefix is kept; the default when absent. */
  prefixTtlSeconds?: number;
  /** How long the stage's mark of a re-keyed event is kept (`PIPELINE_DEDUPE_TTL_S`); the default when absent. */
  seenTtlSeconds?: number;
  maxAttempts?: number;
}

export interface IdentityOutcome extends BatchOutcome {
  /** Events re-keyed to `sf.events.by-user` (prefix re-sends not included). */
  rekeyed: number;
  links: number;
  erased: number;
}

export async function applyIdentityBatch(deps: IdentityApplyDeps, batch: TopicBatch): Promise<IdentityOutcome> {
  if (batch.topic !== deps.topics.events) throw new Error(`the identity stage does not consume ${batch.topic}`);
  for (const m of batch.messages) {
    const owner = m.key === null ? batch.partition : deps.owners.of(m.key);
    if (owner !== batch.partition) throw new OwnerMismatchError(batch.topic, batch.partition, owner, deps.owners.partitions);
  }
  // Parsed once: a refused attempt plans again from what Redis holds, the records stay the same.
  const events = eventsOf(batch.messages);
  const records = batch.messages.map((m, i) => ({ offset: BigInt(m.offset), raw: m.value, event: events[i] ?? null }));
  return untilGuardsHold(deps.maxAttempts ?? 5, () => attempt_(deps, batch, records));
}

interface ReadRecord {
  offset: bigint;
  raw: string | null;
  event: IngestedEvent | null;
}

/** One attempt: null when what it read changed before its script ran (its records may have been sent: they are again). */
async function attempt_(deps: IdentityApplyDeps, batch: TopicBatch, records: readonly ReadRecord[]): Promise<IdentityOutcome | null> {
  const { redis } = deps;
  const keys = identityKeys(deps.prefix, batch.topic, batch.partition);
  const marksHere = deps.marks.at(batch.topic, batch.partition);
  const offsetKey = keys.offset;
  const all = records.flatMap((r) => (r.event === null ? [] : [r.event]));
  const anons = [...new Set(all.map((e) => e.anonymousId))];
  const markRefs = [...new Set(all.flatMap(refsOf))];
  const eventIds = [...new Set(all.map((e) => e.eventId))];
  // Everything the plan depends on, in one round trip; records below the offset (a re-delivery) are read needlessly.
  const [stored, links, sessions, markValues, seenValues] = await Promise.all([
    redis.get(offsetKey),
    anons.length === 0 ? [] : redis.mGet(anons.map((a) => keys.link(a))),
    anons.length === 0 ? [] : redis.mGet(anons.map((a) => keys.prefixSession(a))),
    markRefs.length === 0 ? [] : redis.mGet(markRefs.map((ref) => marksHere.key(ref))),
    eventIds.length === 0 ? [] : redis.mGet(eventIds.map((id) => keys.seenEvent(id))),
  ]);

  const fresh = unappliedRecords(records, stored, batch);
  const outcome: IdentityOutcome = { applied: fresh.length, replayed: records.length - fresh.length, duplicates: 0, unreadable: 0, rekeyed: 0, links: 0, erased: 0 };
  const last = fresh.at(-1);
  if (last === undefined) return outcome;
  const guards: Guard[] = [{ key: offsetKey, expected: stored }];

  const events: IdentityEvent[] = [];
  for (const r of fresh) {
    if (r.event === null || r.raw === null) {
      // The edge's decisions share the topic: not the identity stage's to re-key, and not unreadable.
      if (!isDecisionValue(r.raw)) outcome.unreadable++;
    } else events.push({ event: r.event, raw: r.raw });
  }

  // The partition's owner is the only writer of a device's link and prefix session besides an erasure, which the guards catch.
  const linked = new Map(anons.map((a, i) => [a, links[i] ?? null]));
  const prefixSession = new Map(anons.map((a, i) => [a, sessions[i] ?? null]));
  const devices = new Map<string, DeviceState>();
  for (const anon of new Set(events.map(({ event }) => event.anonymousId))) {
    const userId = linked.get(anon) ?? null;
    const storedSession = prefixSession.get(anon) ?? null;
    guards.push({ key: keys.link(anon), expected: userId }, { key: keys.prefixSession(anon), expected: storedSession });
    devices.set(anon, { userId: userId ?? undefined, ...decodeDeviceSession(storedSession), prefix: [] });
  }
  const toLink = devicesToLink(events, new Map([...devices].map(([anon, d]) => [anon, d.userId])));
  const prefixes = await Promise.all(toLink.map((anon) => redis.lRange(keys.prefixEvents(anon), 0, -1)));
  toLink.forEach((anon, i) => {
    const device = devices.get(anon);
    if (device) device.prefix = prefixes[i] ?? [];
  });

  const markValue = new Map(markRefs.map((ref, i) => [ref, markValues[i] ?? null]));
  const marks = new Map<string, number>();
  for (const ref of new Set(events.flatMap(({ event }) => refsOf(event)))) {
    const value = markValue.get(ref) ?? null;
    guards.push({ key: marksHere.key(ref), expected: value });
    const at = erasureTime(value);
    if (at !== undefined) marks.set(ref, at);
  }

  // Not guarded one by one: only this partition's batches write these marks, each with the offset it guards,
  // so a writer that came in between moved the offset as well.
  const rekeyedBefore = new Set(eventIds.filter((_, i) => seenValues[i] !== null && seenValues[i] !== undefined));
  const plan = planIdentity(events, devices, marks, {
    keys,
    topics: deps.topics,
    rekeyedBefore,
    ...(deps.seenTtlSeconds === undefined ? {} : { seenTtlSeconds: deps.seenTtlSeconds }),
    ...(deps.prefixLimit === undefined ? {} : { prefixLimit: deps.prefixLimit }),
    ...(deps.linkTtlSeconds === undefined ? {} : { linkTtlSeconds: deps.linkTtlSeconds }),
    ...(deps.prefixTtlSeconds === undefined ? {} : { prefixTtlSeconds: deps.prefixTtlSeconds }),
  });
  outcome.links = plan.links.length;
  outcome.erased = plan.erased;
  outcome.duplicates = plan.duplicates;
  outcome.rekeyed = events.length - plan.erased - plan.duplicates;

  if (plan.records.length > 0) await deps.send(plan.records);
  await tombstoneErasedLinks(deps, marksHere, plan.links);

  const result = await runGuardedBatch(redis, guards, [...plan.commands, ['SET', offsetKey, String(last.offset + 1n)]]);
  return result.applied ? outcome : null;
}

/**
 * An erasure may have removed a link between our read and our send: its
 * tombstone could then precede our link record in the compacted topic and the
 * link would come back. The erasure sets its marker before it sends its
 * tombstones, so a marker seen after our send is answered with one more
 * tombstone, and a marker set after this check is followed by the erasure's own.
 */
async function tombstoneErasedLinks(deps: IdentityApplyDeps, marks: MarkKeys, links: readonly { anonymousId: string; userId: string }[]): Promise<void> {
  if (links.length === 0) return;
  const erased = await erasedNow(deps.redis, marks, [...new Set(links.flatMap((l) => [deviceRef(l.anonymousId), userRef(l.userId)]))]);
  if (erased.size === 0) return;
  const tombstones = links.filter((l) => erased.has(deviceRef(l.anonymousId)) || erased.has(userRef(l.userId))).map((l): KeyedRecord => ({ topic: deps.topics.identity, key: l.anonymousId, value: null }));
  await deps.send(tombstones);
}
