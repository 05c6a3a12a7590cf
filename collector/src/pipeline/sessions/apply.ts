/**
 * Applies one partition batch of the events topic to the sessions' state
 * exactly once in effect, the way the aggregates stage does (../apply.ts):
 * the offset key and the batch's event-id keys are WATCHed and read, records
 * below the stored offset and ids already folded in are skipped, and every
 * change goes into ONE MULTI/EXEC with the partition's next offset.
 *
 * The session hashes are WATCHed too: the ticker records snapshots in them,
 * and a fold planned on a snapshot time that changed meanwhile would make the
 * session due again too early; it is planned again instead.
 */
import { WatchError } from 'redis';
import type { IngestedEvent } from '@sessionflow/core';
import type { StoreClient } from '../../store/client.js';
import { readEvent, type BatchOutcome, type TopicBatch } from '../apply.js';
import { planSessionEvents } from './fold-plan.js';
import type { SessionKeys } from './keys.js';
import { readStoredSession, STORED_SESSION_FIELDS, type StoredSession } from './stored.js';

export interface SessionApplyDeps {
  /** A connection of its own: WATCH belongs to the connection. */
  redis: StoreClient;
  keys: SessionKeys;
  seenTtlSeconds: number;
  snapshotIntervalMs: number;
  /** Attempts when concurrent writers keep changing what the batch watched. */
  maxAttempts?: number;
}

export async function applySessionBatch(deps: SessionApplyDeps, batch: TopicBatch): Promise<BatchOutcome> {
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptBatch(deps, batch);
    } catch (error) {
      if (!(error instanceof WatchError) || attempt >= maxAttempts) throw error;
    }
  }
}

async function attemptBatch(deps: SessionApplyDeps, batch: TopicBatch): Promise<BatchOutcome> {
  const { redis, keys } = deps;
  const offsetKey = keys.offset(batch.topic, batch.partition);
  await redis.watch(offsetKey);
  const stored = await redis.get(offsetKey);
  const from = stored === null ? -1n : BigInt(stored);
  const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
  const outcome: BatchOutcome = { applied: fresh.length, replayed: batch.messages.length - fresh.length, duplicates: 0, unreadable: 0 };
  const last = fresh.at(-1);
  if (last === undefined) {
    await redis.unwatch();
    return outcome;
  }

  const events: IngestedEvent[] = [];
  for (const m of fresh) {
    const event = m.value === null ? null : readEvent(m.value);
    if (event === null) outcome.unreadable++;
    else events.push(event);
  }
  const unseen = await unseenEvents(deps, events);
  outcome.duplicates = events.length - unseen.length;
  const sessions = await storedSessions(deps, unseen);
  const commands = planSessionEvents(unseen, sessions, {
    keys,
    topic: batch.topic,
    partition: batch.partition,
    seenTtlSeconds: deps.seenTtlSeconds,
    snapshotIntervalMs: deps.snapshotIntervalMs,
  });

  const transaction = redis.multi();
  for (const command of commands) transaction.addCommand(command);
  transaction.addCommand(['SET', offsetKey, String(BigInt(last.offset) + 1n)]);
  await transaction.exec();
  return outcome;
}

/** The events whose id this stage has not folded in, each once. */
async function unseenEvents(deps: SessionApplyDeps, events: readonly IngestedEvent[]): Promise<IngestedEvent[]> {
  if (events.length === 0) return [];
  const ids = [...new Set(events.map((e) => e.eventId))];
  const seenKeys = ids.map((id) => deps.keys.seenEvent(id));
  await deps.redis.watch(seenKeys);
  const seen = await deps.redis.mGet(seenKeys);
  const counted = new Set(ids.filter((_, i) => seen[i] !== null));
  const unseen: IngestedEvent[] = [];
  for (const event of events) {
    if (counted.has(event.eventId)) continue;
    counted.add(event.eventId);
    unseen.push(event);
  }
  return unseen;
}

async function storedSessions(deps: SessionApplyDeps, events: readonly IngestedEvent[]): Promise<Map<string, StoredSession>> {
  const ids = [...new Set(events.map((e) => e.sessionId))];
  if (ids.length === 0) return new Map();
  const keys = ids.map((id) => deps.keys.session(id));
  await deps.redis.watch(keys);
  const values = await Promise.all(keys.map((key) => deps.redis.hmGet(key, [...STORED_SESSION_FIELDS])));
  const sessions = new Map<string, StoredSession>();
  ids.forEach((id, i) => {
    const session = readStoredSession(values[i] ?? []);
    if (session !== null && session.state.id === id) sessions.set(id, session);
  });
  return sessions;
}
