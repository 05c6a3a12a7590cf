/**
 * What erasure removes of the state the other stages keep per person, beside
 * the profiles and the identity graph (erasure.ts):
 *
 * - per session of the person (the profiles' session sets and the devices'
 *   session indexes list them): the live session's hash (sessions stage) and
 *   the recommendation model's item sequence and time. A product's list of
 *   recent sessions may keep naming an erased session: it holds no person's
 *   id, reads as a neighbour with no items, and expires with the list;
 * - per device: its session index;
 * - per configured experiment: the unit's entry (its variant, converted or
 *   not) for the user and each device, the refs units are counted under.
 *
 * The person's sessions are found in the profiles' session sets and the
 * devices' session indexes, which keep the most recently active sessions
 * (store/bounds.ts): a session that fell out of both holds no state that does
 * not expire by itself (its hash within the session TTL of its last event, or
 * the dedupe window after closing; its recommendation keys within 30 days).
 *
 * Kept, because they hold no id and cannot be traced back to one person:
 * experiment counts (exposures, units, conversions per variant; the readout
 * would otherwise change its past), popularity, and the minute rollups'
 * counters and HyperLogLogs. A person exposed again after the erasure is a new
 * unit. The open and due indexes of the sessions stage hold session ids only;
 * its ticker drops the entries of a session whose hash is gone.
 */
import type { StoreKeys } from '../../store/keys.js';
import type { RedisCommand } from '../commands.js';
import type { SessionKeys } from '../sessions/keys.js';

export interface OtherStagesState {
  /** The person's session ids, as read under WATCH with the devices. */
  sessionIds: readonly string[];
  /** The keys of the configured experiments. */
  experiments: readonly string[];
  sessionKeys: SessionKeys;
}

/** Keys whose every value is the person's: deleted whole. */
export function otherStagesDeletes(anonymousIds: readonly string[], state: OtherStagesState, keys: StoreKeys): RedisCommand[] {
  const dels: RedisCommand[] = [];
  for (const sessionId of state.sessionIds) {
    for (const key of [state.sessionKeys.session(sessionId), keys.recsSessionItems(sessionId), keys.recsSessionTime(sessionId)]) dels.push(['DEL', key]);
  }
  for (const anon of anonymousIds) dels.push(['DEL', state.sessionKeys.device(anon)]);
  return dels;
}

/** The person's fields in the experiments' unit hashes (`refs`: the user's and its devices', the units they were counted as). */
export function experimentUnitRemovals(refs: readonly string[], state: OtherStagesState, keys: StoreKeys): RedisCommand[] {
  return refs.length === 0 ? [] : state.experiments.map((experiment): RedisCommand => ['HDEL', keys.experimentUnits(experiment), ...refs]);
}

/** The person's session-id sources (sorted sets): each profile's session set (`refs`) and each device's session index. */
export function sessionSourceKeys(refs: readonly string[], anonymousIds: readonly string[], keys: StoreKeys, sessionKeys: SessionKeys): string[] {
  return [...refs.map((ref) => keys.profileSessions(ref)), ...anonymousIds.map((anon) => sessionKeys.device(anon))];
}
