/**
 * The sessions stage's changes for the edge's decisions (pure, like
 * fold-plan.ts): each decision not counted before is kept with its session
 * (decided.ts) and counted as a fire of its rule in the minute it was made,
 * in this partition's part of the rule-fire rollup (summed over the
 * partitions at read time, like the funnel's). A decision for a session this
 * stage does not hold (gone, or erased) is counted but not kept.
 */
import type { Decided, DecisionRecord } from '@sessionflow/core';
import type { RedisCommand } from '../commands.js';
import { MINUTE_MS, minuteOf } from '../rollups/minute.js';
import { ROLLUP_RETENTION_S } from '../rollups/commands.js';
import { withDecisions, type SessionDecided } from './decided.js';
import type { SessionKeys } from './keys.js';

export const DECIDED_FIELD = 'decided';

export interface DecisionsPlanContext {
  keys: SessionKeys;
  /** How long a decision id is remembered to count it once. */
  seenTtlSeconds: number;
  /** Whether the stage holds the session (stored, or folded in this batch). */
  holds(sessionId: string): boolean;
  /** What each session kept so far. */
  kept(sessionId: string): SessionDecided;
}

/** Commands for decisions not counted before, in partition order. */
export function planSessionDecisions(records: readonly DecisionRecord[], ctx: DecisionsPlanContext): RedisCommand[] {
  const { keys } = ctx;
  const commands: RedisCommand[] = [];
  const bySession = new Map<string, Decided[]>();
  const fires = new Map<string, Map<string, number>>();
  const expiry = new Map<string, number>();
  for (const record of records) {
    const { type: _type, anonymousId: _anonymousId, sessionId, ingest: _ingest, ...decided } = record;
    commands.push(['SET', keys.seenDecision(decided.id), '1', 'EX', String(ctx.seenTtlSeconds)]);
    const minute = minuteOf(decided.at);
    const key = keys.ruleFires(minute);
    const counts = fires.get(key) ?? new Map<string, number>();
    counts.set(decided.ruleId, (counts.get(decided.ruleId) ?? 0) + 1);
    fires.set(key, counts);
    // From the decision's time, not the pipeline's: a replay gives the same state.
    expiry.set(key, Math.floor(decided.at / MINUTE_MS) * (MINUTE_MS / 1000) + ROLLUP_RETENTION_S);
    if (!ctx.holds(sessionId)) continue;
    const list = bySession.get(sessionId) ?? [];
    list.push(decided);
    bySession.set(sessionId, list);
  }
  for (const [sessionId, added] of bySession) {
    commands.push(['HSET', keys.session(sessionId), DECIDED_FIELD, JSON.stringify(withDecisions(ctx.kept(sessionId), added))]);
  }
  for (const [key, counts] of fires) for (const [ruleId, n] of counts) commands.push(['HINCRBY', key, ruleId, String(n)]);
  for (const [key, at] of expiry) commands.push(['EXPIREAT', key, String(at)]);
  return commands;
}
