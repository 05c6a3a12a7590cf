/**
 * What erasure removes of the state the other stages keep per person, beside
 * the profiles and the identity graph (plan.ts):
 *
 * - per session of the person (the profiles' session sets and the devices'
 *   session indexes list them): the live session's hash and its entries in
 *   the sessions stage's open and due indexes (in every partition of the
 *   events topic: a session found in a profile's set names no device), the
 *   recommendation model's item sequence and time, the session's entry in the
 *   recent-session list of each product its sequence holds, and the mark that
 *   its closing was counted in a baseline (in the by-user partitions of the
 *   person's refs, where the person's records were applied);
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
import type { RedisCommand } from '../pipeline/commands.js';
import type { StateLayout } from '../store/layout.js';

export interface OtherStagesState {
  /** The person's session ids, as read after the markers were set. */
  sessionIds: readonly string[];
  /** Session id → the products its recommendation sequence holds. */
  viewed: ReadonlyMap<string, readonly string[]>;
  /** The keys of the configured experiments. */
  experiments: readonly string[];
}

/** The by-user partitions of the person's refs: where their records were applied. */
function personParts(refs: readonly string[], layout: StateLayout) {
  const seen = new Set<number>();
  return refs.flatMap((ref) => {
    const partition = layout.owners.eventsByUser.of(ref);
    if (seen.has(partition)) return [];
    seen.add(partition);
    return [layout.byUser(partition)];
  });
}

/** Every partition's sessions-stage keys of the events topic. */
function everySessionsPart(layout: StateLayout) {
  return layout.owners.events.all().map((p) => layout.deviceSessionsAt(p));
}

/** Keys whose every value is the person's: deleted whole. */
export function otherStagesDeletes(refs: readonly string[], anonymousIds: readonly string[], state: OtherStagesState, layout: StateLayout): string[] {
  const keys: string[] = [];
  const parts = personParts(refs, layout);
  const sessionParts = everySessionsPart(layout);
  for (const sessionId of state.sessionIds) {
    for (const part of sessionParts) keys.push(part.session(sessionId));
    for (const part of parts) keys.push(part.recsSessionItems(sessionId), part.recsSessionTime(sessionId), part.baselineCounted(sessionId));
  }
  for (const anon of anonymousIds) keys.push(layout.deviceSessions(anon).device(anon));
  return keys;
}

/** The person's entries in keys shared with others: the sessions stage's indexes and the products' recent sessions. */
export function sharedEntryRemovals(refs: readonly string[], state: OtherStagesState, layout: StateLayout): RedisCommand[] {
  const commands: RedisCommand[] = [];
  if (state.sessionIds.length > 0) {
    for (const part of everySessionsPart(layout)) commands.push(['ZREM', part.open, ...state.sessionIds], ['ZREM', part.due, ...state.sessionIds]);
  }
  const byProduct = new Map<string, Set<string>>();
  for (const [sessionId, products] of state.viewed) {
    for (const product of products) byProduct.set(product, (byProduct.get(product) ?? new Set()).add(sessionId));
  }
  for (const part of personParts(refs, layout)) {
    for (const [product, sessions] of [...byProduct].sort(([a], [b]) => a.localeCompare(b))) {
      // LREM removes one value per call; the list names a session once (recs/commands.ts moves it to the head).
      for (const sessionId of [...sessions].sort()) commands.push(['LREM', part.recsItemSessions(product), '0', sessionId]);
    }
  }
  return commands;
}

/** The person's fields in the experiments' unit hashes (`refs`: the user's and its devices', the units they were counted as, each in its own partition). */
export function experimentUnitRemovals(refs: readonly string[], state: Pick<OtherStagesState, 'experiments'>, layout: StateLayout): RedisCommand[] {
  return refs.flatMap((ref) => state.experiments.map((experiment): RedisCommand => ['HDEL', layout.profile(ref).experimentUnits(experiment), ref]));
}

/** The person's session-id sources (sorted sets): each profile's session set (`refs`) and each device's session index. */
export function sessionSourceKeys(refs: readonly string[], anonymousIds: readonly string[], layout: StateLayout): string[] {
  return [...refs.map((ref) => layout.profile(ref).profileSessions(ref)), ...anonymousIds.map((anon) => layout.deviceSessions(anon).device(anon))];
}
