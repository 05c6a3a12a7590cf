/**
 * The aggregates stage's plan for a batch of the sessions topic: reads what
 * the baseline's plan (plan.ts) depends on, then plans. The caller (../apply.ts)
 * runs the commands with the partition's next offset in one guarded script.
 *
 * The links, marks and counted sessions are read in one round trip with the
 * stored offset. A session whose device is linked needs its user's mark too;
 * those few are read in a second one, only when a link names a user the first
 * read did not cover.
 */
import type { StateBounds } from '../../store/bounds.js';
import type { StoreClient } from '../../store/client.js';
import type { Guard } from '../../store/guarded-batch.js';
import type { IdentityKeys } from '../../store/identity-keys.js';
import type { ErasureMarks } from '../../erasure/marks.js';
import type { StoreKeys } from '../../store/keys.js';
import type { BatchMessage, BatchOutcome } from '../apply.js';
import type { RedisCommand } from '../commands.js';
import { readSessionRecord, type ClosedSession } from './closing.js';
import { linksToRead, marksToRead, planBaseline } from './plan.js';

export interface BaselineApplyDeps {
  redis: StoreClient;
  keys: StoreKeys;
  identityKeys: IdentityKeys;
  marks: ErasureMarks;
  seenTtlSeconds: number;
  /** How long a profile is kept after its activity; the defaults when absent. */
  bounds?: StateBounds;
}

export interface PlannedSessionsBatch {
  commands: RedisCommand[];
  guards: Guard[];
  outcome: BatchOutcome;
  lastOffset: bigint;
}

/** Null when every record is below the stored offset: applied before. */
export async function planSessionsBatch(deps: BaselineApplyDeps, offsetKey: string, messages: readonly BatchMessage[]): Promise<PlannedSessionsBatch | null> {
  const { redis, keys, identityKeys, marks: erasureMarks } = deps;
  const records = messages.map((m) => ({ offset: BigInt(m.offset), read: readSessionRecord(m.value) }));
  const closed = records.flatMap((r) => (r.read.kind === 'closed' ? [r.read.session] : []));
  const devices = linksToRead(closed);
  const ownRefs = marksToRead(closed, new Map());
  const sessionIds = [...new Set(closed.map((s) => s.sessionId))];
  const [stored, linkValues, ownMarks, countedValues] = await Promise.all([
    redis.get(offsetKey),
    mGet(redis, devices.map((id) => identityKeys.link(id))),
    mGet(redis, ownRefs.map((ref) => erasureMarks.key(ref))),
    mGet(redis, sessionIds.map((id) => keys.baselineCounted(id))),
  ]);

  const from = stored === null ? -1n : BigInt(stored);
  const fresh = records.filter((r) => r.offset >= from);
  const last = fresh.at(-1);
  if (last === undefined) return null;
  const sessions: ClosedSession[] = fresh.flatMap((r) => (r.read.kind === 'closed' ? [r.read.session] : []));

  const links = zip(devices, linkValues);
  const marks = zip(ownRefs, ownMarks);
  const linkedUsers = marksToRead(sessions, links).filter((ref) => !marks.has(ref));
  const userMarks = await mGet(redis, linkedUsers.map((ref) => erasureMarks.key(ref)));
  linkedUsers.forEach((ref, i) => marks.set(ref, userMarks[i] ?? null));

  const plan = planBaseline(sessions, { links, marks, counted: zip(sessionIds, countedValues) }, deps);
  const unreadable = fresh.filter((r) => r.read.kind === 'unreadable').length;
  return {
    commands: plan.commands,
    guards: [{ key: offsetKey, expected: stored }, ...plan.guards],
    outcome: { applied: fresh.length, replayed: records.length - fresh.length, duplicates: plan.duplicates, unreadable, profiles: plan.profiles },
    lastOffset: last.offset,
  };
}

async function mGet(redis: StoreClient, keys: readonly string[]): Promise<(string | null)[]> {
  return keys.length === 0 ? [] : redis.mGet([...keys]);
}

function zip(ids: readonly string[], values: readonly (string | null | undefined)[]): Map<string, string | null> {
  return new Map(ids.map((id, i) => [id, values[i] ?? null]));
}
