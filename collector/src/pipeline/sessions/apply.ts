/**
 * Applies one partition batch of the events topic to the sessions' state
 * exactly once in effect, the way the aggregates stage does (../apply.ts):
 * the offset is read and guarded and the batch's event-id keys read, records
 * below the stored offset and ids already folded in are skipped, and every
 * change goes into ONE script call with the partition's next offset
 * (store/guarded-batch.ts).
 *
 * The batch's event-id keys are not guarded one by one: only this
 * partition's batches write them, each with the offset it guards, so a
 * writer in between moved the offset as well.
 *
 * The fields read from the session hashes are guarded too: the ticker records
 * snapshots in them, and a fold planned on a snapshot time that changed
 * meanwhile would make the session due again too early; it is planned again
 * instead.
 */
import type { DecisionRecord, IngestedEvent } from '@sessionflow/core';
import { storeScript, type StoreClient } from '../../store/client.js';
import type { BatchOutcome, TopicBatch } from '../apply.js';
import { eventsOf, readDecision } from '../event-record.js';
import type { ByUserEvent } from '../identity/records.js';
import { DECIDED_FIELD, planSessionDecisions } from './decisions-plan.js';
import { readDecided } from './decided.js';
import { erasureTime, refsOf, isErased } from '../../erasure/marked-events.js';
import type { ErasureMarks } from '../../erasure/marks.js';
import type { StateBounds } from '../../store/bounds.js';
import { planSessionEvents } from './fold-plan.js';
import { sessionKeys } from './keys.js';
import { OwnerMismatchError, type TopicOwners } from '../../store/owner.js';
import { readStoredSession, SESSION_FIELDS, STORED_SESSION_FIELDS, type StoredSession } from './stored.js';
import { runGuardedBatch, untilGuardsHold, type Guard } from '../../store/guarded-batch.js';
import { unappliedRecords } from '../unapplied.js';

const FOLDED_WITH_VERSION: ReadonlySet<string> = new Set([SESSION_FIELDS.state, SESSION_FIELDS.anonymousId]);

export interface SessionApplyDeps {
  /** A connection of its own, so its batches do not queue behind the other stages'. */
  redis: StoreClient;
  /** The deployment's key prefix. */
  prefix: string;
  /** The events topic's partitions: the batch's partition owns its devices' sessions. */
  owners: TopicOwners;
  /** Erasure markers (../../erasure/marks.ts). */
  marks: ErasureMarks;
  seenTtlSeconds: number;
  snapshotIntervalMs: number;
  /** How long a session's state and a device's index are kept; the defaults when absent. */
  bounds?: StateBounds;
  /** Attempts when concurrent writers keep changing what the batch watched. */
  maxAttempts?: number;
}

export async function applySessionBatch(deps: SessionApplyDeps, batch: TopicBatch): Promise<BatchOutcome> {
  for (const m of batch.messages) {
    const owner = m.key === null ? batch.partition : deps.owners.of(m.key);
    if (owner !== batch.partition) throw new OwnerMismatchError(batch.topic, batch.partition, owner, deps.owners.partitions);
  }
  // Parsed once: a refused attempt plans again from what Redis holds, the records stay the same.
  const events = eventsOf(batch.messages);
  const records = batch.messages.map((m, i) => {
    const event = events[i] ?? null;
    return { offset: BigInt(m.offset), event, decision: event === null && m.value !== null ? readDecision(m.value) : null };
  });
  return untilGuardsHold(deps.maxAttempts ?? 5, () => attemptBatch(deps, batch, records));
}

interface ReadRecord {
  offset: bigint;
  event: IngestedEvent | null;
  /** The edge's decision, when the record is one. */
  decision: DecisionRecord | null;
}

/** The fields read of each session hash: the fold's (stored.ts), then what the edge decided for it. */
const READ_FIELDS: readonly string[] = [...STORED_SESSION_FIELDS, DECIDED_FIELD];
const DECIDED_AT = STORED_SESSION_FIELDS.length;

/**
 * READ_FIELDS of every session hash of the batch in ONE call: a script, since the hashes are the partition's (one
 * slot on a cluster) and Redis has no HMGET of several keys. One HMGET per session was one command per session and
 * batch, each with its own promise, reply and (node-redis) timeout signal: a few percent of the process in profiles.
 */
export const READ_SESSIONS = storeScript(`local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HMGET', key, unpack(ARGV)) end
return out`);

async function readSessions(redis: StoreClient, keys: readonly string[]): Promise<(string | null)[][]> {
  if (keys.length === 0) return [];
  const reply = await redis.runScript(READ_SESSIONS, keys, READ_FIELDS);
  if (!Array.isArray(reply) || reply.length !== keys.length) throw new Error(`unexpected reply reading ${keys.length} session hashes: ${String(reply)}`);
  return reply.map((values: unknown) => (Array.isArray(values) ? values.map((v: unknown) => (typeof v === 'string' ? v : null)) : []));
}

/** One attempt: null when what it read changed before its script ran (nothing was written). */
async function attemptBatch(deps: SessionApplyDeps, batch: TopicBatch, records: readonly ReadRecord[]): Promise<BatchOutcome | null> {
  const { redis } = deps;
  const keys = sessionKeys(deps.prefix, batch.topic, batch.partition);
  const marksHere = deps.marks.at(batch.topic, batch.partition);
  const offsetKey = keys.offset;
  const events = records.flatMap((r) => (r.event === null ? [] : [r.event]));
  const decisions = records.flatMap((r) => (r.decision === null ? [] : [r.decision]));
  const ids = [...new Set(events.map((e) => e.eventId))];
  const decisionIds = [...new Set(decisions.map((d) => d.id))];
  const sessionIds = [...new Set([...events.map((e) => e.sessionId), ...decisions.map((d) => d.sessionId)])];
  const markRefs = [...new Set([...events.flatMap(refsOf), ...decisions.flatMap((d) => refsOf(d as unknown as ByUserEvent))])];
  // Everything the plan depends on, in one round trip; records below the offset (a re-delivery) are read needlessly.
  const [stored, markValues, seenValues, sessionValues, seenDecisionValues] = await Promise.all([
    redis.get(offsetKey),
    markRefs.length === 0 ? [] : redis.mGet(markRefs.map((ref) => marksHere.key(ref))),
    ids.length === 0 ? [] : redis.mGet(ids.map((id) => keys.seenEvent(id))),
    readSessions(redis, sessionIds.map((id) => keys.session(id))),
    decisionIds.length === 0 ? [] : redis.mGet(decisionIds.map((id) => keys.seenDecision(id))),
  ]);

  const fresh = unappliedRecords(records, stored, batch);
  const outcome: BatchOutcome = { applied: fresh.length, replayed: records.length - fresh.length, duplicates: 0, unreadable: 0 };
  const last = fresh.at(-1);
  if (last === undefined) return outcome;
  const guards: Guard[] = [{ key: offsetKey, expected: stored }];
  const readable = fresh.flatMap((r) => (r.event === null ? [] : [r.event]));
  const decided = fresh.flatMap((r) => (r.decision === null ? [] : [r.decision]));
  outcome.unreadable = fresh.length - readable.length - decided.length;

  // Events of a person erased after they were ingested are not folded in (../../erasure/marked-events.ts); an erasure in between refuses the batch.
  const markValue = new Map(markRefs.map((ref, i) => [ref, markValues[i] ?? null]));
  const marks = new Map<string, number>();
  for (const ref of new Set([...readable.flatMap(refsOf), ...decided.flatMap((d) => refsOf(d as unknown as ByUserEvent))])) {
    const value = markValue.get(ref) ?? null;
    guards.push({ key: marksHere.key(ref), expected: value });
    const at = erasureTime(value);
    if (at !== undefined) marks.set(ref, at);
  }
  const live = readable.filter((e) => !isErased(e, marks));
  const liveDecisions = decided.filter((d) => !isErased(d as unknown as ByUserEvent, marks));

  const seen = new Map(ids.map((id, i) => [id, seenValues[i] ?? null]));
  const counted = new Set<string>();
  const unseen: IngestedEvent[] = [];
  for (const event of live) {
    if (counted.has(event.eventId)) continue;
    counted.add(event.eventId);
    if (seen.get(event.eventId) !== null) continue;
    // Not guarded one by one: only this partition's batches write these marks, each with the offset it guards,
    // so a writer that came in between moved the offset as well (as in ../identity/apply.ts).
    unseen.push(event);
  }
  outcome.duplicates = live.length - unseen.length;

  // The ticker records snapshots in the session hashes: a fold planned on fields that changed meanwhile is planned again.
  // The fold's own fields (state, anonymous id) are written only with a higher version, and vanish with it (erasure,
  // expiry), so the version stands guard for them: the state, the hash's largest field, is not sent back to be compared.
  const stateOf = new Map(sessionIds.map((id, i) => [id, sessionValues[i] ?? []]));
  const sessions = new Map<string, StoredSession>();
  for (const id of new Set(unseen.map((e) => e.sessionId))) {
    const values = stateOf.get(id) ?? [];
    STORED_SESSION_FIELDS.forEach((field, k) => {
      if (!FOLDED_WITH_VERSION.has(field)) guards.push({ key: keys.session(id), field, expected: values[k] ?? null });
    });
    const session = readStoredSession(values);
    if (session !== null && session.state.id === id) sessions.set(id, session);
  }

  const commands = planSessionEvents(unseen, sessions, {
    keys,
    seenTtlSeconds: deps.seenTtlSeconds,
    snapshotIntervalMs: deps.snapshotIntervalMs,
    ...(deps.bounds === undefined ? {} : { bounds: deps.bounds }),
  });

  // The edge's decisions: each once by id, kept with a session this stage holds, counted as a fire of its rule.
  const seenDecision = new Map(decisionIds.map((id, i) => [id, seenDecisionValues[i] ?? null]));
  const unseenDecisions: DecisionRecord[] = [];
  const countedDecisions = new Set<string>();
  for (const decision of liveDecisions) {
    if (countedDecisions.has(decision.id)) continue;
    countedDecisions.add(decision.id);
    if (seenDecision.get(decision.id) !== null) continue;
    guards.push({ key: keys.seenDecision(decision.id), expected: null });
    unseenDecisions.push(decision);
  }
  outcome.duplicates += liveDecisions.length - unseenDecisions.length;
  if (unseenDecisions.length > 0) {
    const folding = new Set(unseen.map((e) => e.sessionId));
    for (const id of new Set(unseenDecisions.map((d) => d.sessionId))) guards.push({ key: keys.session(id), field: DECIDED_FIELD, expected: stateOf.get(id)?.[DECIDED_AT] ?? null });
    commands.push(
      ...planSessionDecisions(unseenDecisions, {
        keys,
        seenTtlSeconds: deps.seenTtlSeconds,
        holds: (id) => folding.has(id) || sessions.has(id) || readStoredSession(stateOf.get(id) ?? []) !== null,
        kept: (id) => readDecided(stateOf.get(id)?.[DECIDED_AT]),
      }),
    );
  }
  commands.push(['SET', offsetKey, String(last.offset + 1n)]);
  const result = await runGuardedBatch(redis, guards, commands);
  return result.applied ? outcome : null;
}
