/**
 * What erasure removes of the state the other stages keep per person, beside
 * the profiles and the identity graph (plan.ts):
 *
 * - per session of the person (the profiles' session sets and the devices'
 *   session indexes list them): the live session's hash (sessions stage), its
 *   entries in the sessions stage's open and due indexes (one pair per
 *   partition of the events topic), the recommendation model's item sequence
 *   and time, the session's entry in the recent-session list of each product
 *   its sequence holds, and the mark that its closing was counted in a
 *   baseline;
 * - per device: its session index;
 * - per configured experiment: the unit's entry (its variant, converted or
 *   not) for the user and each device, the refs units are counted under.
 *
 * The person's sessions are found in the profiles' session sets and the
 * devices' session indexes, which keep the most recently active sessions
 * (store/bounds.ts): a session that fell out of both holds no state that does
 * not expire by itself (its hash within the session TTL of its last event, or
 * the dedupe window after closing; its recommendation keys within 30 days).
 * A product's list names a session of the person until it expires or pushes
 * it out if the product fell out of the session's sequence (the last 50 views
 * are kept).
 *
 * Kept, because they hold no id and cannot be traced back to one person:
 * experiment counts (exposures, units, conversions per variant; the readout
 * would otherwise change its past), popularity, and the minute rollups'
 * counters and HyperLogLogs. A person exposed again after the erasure is a new
 * unit.
 */
import type { StoreKeys } from '../store/keys.js';
import type { RedisCommand } from '../pipeline/commands.js';
import type { SessionKeys } from '../pipeline/sessions/keys.js';

export interface OtherStagesState {
  /** The person's session ids, as read under WATCH with the devices. */
  sessionIds: readonly string[];
  /** Session id → the products its recommendation sequence holds (as read under WATCH). */
  viewed: ReadonlyMap<string, readonly string[]>;
  /** The keys of the configured experiments. */
  experiments: readonly string[];
  /** The sessions stage's open and due indexes of every partition of the events topic. */
  sessionIndexes: readonly string[];
  sessionKeys: SessionKeys;
}

/** Keys whose every value is the person's: deleted whole. */
export function otherStagesDeletes(anonymousIds: readonly string[], state: OtherStagesState, keys: StoreKeys): RedisCommand[] {
  const dels: RedisCommand[] = [];
  for (const sessionId of state.sessionIds) {
    for (const key of [state.sessionKeys.session(sessionId), keys.recsSessionItems(sessionId), keys.recsSessionTime(sessionId), keys.baselineCounted(sessionId)]) dels.push(['DEL', key]);
  }
  for (const anon of anonymousIds) dels.push(['DEL', state.sessionKeys.device(anon)]);
  return dels;
}

/** The person's entries in keys shared with others: the sessions stage's indexes and the products' recent sessions. */
export function sharedEntryRemovals(state: OtherStagesState, keys: StoreKeys): RedisCommand[] {
  const commands: RedisCommand[] = [];
  if (state.sessionIds.length > 0) for (const index of state.sessionIndexes) commands.push(['ZREM', index, ...state.sessionIds]);
  const byProduct = new Map<string, Set<string>>();
  for (const [sessionId, products] of state.viewed) {
    for (const product of products) byProduct.set(product, (byProduct.get(product) ?? new Set()).add(sessionId));
  }
  for (const [product, sessions] of [...byProduct].sort(([a], [b]) => a.localeCompare(b))) {
    // LREM removes one value per call; the list names a session once (recs/commands.ts moves it to the head).
    for (const sessionId of [...sessions].sort()) commands.push(['LREM', keys.recsItemSessions(product), '0', sessionId]);
  }
  return commands;
}

/** The person's fields in the experiments' unit hashes (`refs`: the user's and its devices', the units they were counted as). */
export function experimentUnitRemovals(refs: readonly string[], state: Pick<OtherStagesState, 'experiments'>, keys: StoreKeys): RedisCommand[] {
  return refs.length === 0 ? [] : state.experiments.map((experiment): RedisCommand => ['HDEL', keys.experimentUnits(experiment), ...refs]);
}

/** The person's session-id sources (sorted sets): each profile's session set (`refs`) and each device's session index. */
export function sessionSourceKeys(refs: readonly string[], anonymousIds: readonly string[], keys: StoreKeys, sessionKeys: SessionKeys): string[] {
  return [...refs.map((ref) => keys.profileSessions(ref)), ...anonymousIds.map((anon) => sessionKeys.device(anon))];
}
