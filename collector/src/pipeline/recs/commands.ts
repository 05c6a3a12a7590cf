/**
 * The recommendation model's incremental update (core's `changeForView`) as Redis commands for
 * the batch's MULTI/EXEC: each product view appends the product to its session's sequence and puts
 * the session at the head of the product's recent sessions.
 *
 * Commands in a MULTI cannot read, so the planner does not know whether the session viewed the
 * product before: every view moves the session to the head of the product's list (LREM + LPUSH)
 * instead of core's "a repeat view links nothing". The list then holds each session once, ordered
 * by its latest view of the product, which depends only on the order of the records, never on how
 * they were cut into batches; scoring ranks candidates by session time anyway.
 *
 * A record the identity stage re-sent with `"attribution":"prefix"` counts too: the anonymous
 * record taught the device's by-user partition, and the re-sent one teaches the user's, so the
 * session's sequence in the user's partition, where `/v1/recs` for the user reads it, holds the
 * views from before the login as well. A product's parts then both name the session, which the
 * read merges by session id (../../read/recs/redis-recs-store.ts).
 */
import { changeForView, UNDECAYED_POPULARITY, type IngestedEvent } from '@sessionflow/core';
import { RECS_LIMITS, type RecsKeys, type RecsLimits } from '../../store/recs-keys.js';
import { eventTime, mostRecentFirst, type RedisCommand } from '../commands.js';
import { productSignals } from '../signals.js';

export function recsViewCommands(
  events: readonly IngestedEvent[],
  keys: RecsKeys,
  limits: RecsLimits = RECS_LIMITS,
): RedisCommand[] {
  const commands: RedisCommand[] = [];
  // Session → time of its last view in record order; the bounds and expiries are set once per key and batch.
  const sessions = new Map<string, number>();
  // Per batch: a session's items appended in one RPUSH, a product's sessions moved to the head in record order (../commands.ts).
  const appended = new Map<string, string[]>();
  const linked = new Map<string, string[]>();

  for (const event of events) {
    for (const signal of productSignals(event)) {
      if (signal.kind !== 'view') continue;
      // Popularity is the aggregates' (weighted, all signals): the model's own increments are not stored.
      const change = changeForView(undefined, { session: event.sessionId, item: signal.productId, time: eventTime(event) }, UNDECAYED_POPULARITY);
      const items = appended.get(change.session) ?? [];
      items.push(...change.appendItems);
      appended.set(change.session, items);
      for (const item of change.linkItems) {
        const linking = linked.get(item) ?? [];
        linking.push(change.session);
        linked.set(item, linking);
      }
      sessions.set(change.session, change.time);
    }
  }

  const ttl = String(limits.ttlSeconds);
  for (const [session, time] of sessions) {
    const sequence = keys.recsSessionItems(session);
    // Only the last items outlive the trim.
    const items = appended.get(session) ?? [];
    if (items.length > 0) commands.push(['RPUSH', sequence, ...items.slice(-limits.itemsPerSession)]);
    commands.push(['LTRIM', sequence, String(-limits.itemsPerSession), '-1'], ['EXPIRE', sequence, ttl]);
    commands.push(['SET', keys.recsSessionTime(session), String(time), 'EX', ttl]);
  }
  for (const [item, linking] of linked) {
    const recent = keys.recsItemSessions(item);
    commands.push(...mostRecentFirst(recent, linking, limits.sessionsPerItem), ['EXPIRE', recent, ttl]);
  }
  return commands;
}
