/**
 * When a visitor object may forget the visitor: its session is over (core's
 * one session definition: the inactivity gap or the maximum length), the
 * cooldowns of the rules it showed have run out, and the retention
 * (`VISITOR_RETAIN_MS`) has passed after both. On the edge's clock, the one
 * sessions are cut on. What is lost then is only what the next visit rebuilds
 * or the collector keeps: the variants (assigned again alike, by the
 * anonymous id), the usual session (the profile's baseline stands in) and the
 * verified link (the site's page identifies again with a fresh token).
 */
import { DEFAULT_SESSION_POLICY, type OpenSession, type RulesDocument, type ShownRecord } from '@sessionflow/core';

export function sessionEndsAt(session: OpenSession): number {
  return Math.min(session.lastActivityAt + DEFAULT_SESSION_POLICY.inactivityGapMs, session.startedAt + DEFAULT_SESSION_POLICY.maxLengthMs);
}

export function cooldownsEndAt(shown: Readonly<Record<string, ShownRecord>>, rules: RulesDocument): number {
  let end = -Infinity;
  for (const rule of rules.rules) {
    const record = Object.hasOwn(shown, rule.id) ? shown[rule.id] : undefined;
    if (record !== undefined && rule.cooldownMs !== undefined) end = Math.max(end, record.lastAt + rule.cooldownMs);
  }
  return end;
}

export function expiresAt(state: { session?: OpenSession | undefined; shown: Readonly<Record<string, ShownRecord>> }, rules: RulesDocument, nowMs: number, retainMs: number): number {
  const sessionEnd = state.session !== undefined ? sessionEndsAt(state.session) : nowMs;
  return Math.max(sessionEnd, cooldownsEndAt(state.shown, rules), nowMs) + retainMs;
}
