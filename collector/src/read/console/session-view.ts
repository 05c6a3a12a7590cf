/**
 * An open session as the console sees it (core's `OpenSessionView`), from the
 * sessions stage's hash: the fold, its device and source, and what the edge
 * decided for it. Pure: the signals that depend on the clock are read at `nowMs`.
 */
import { cartUnits, signalsOf, type OpenSessionView } from '@sessionflow/core';
import { readDecided } from '../../pipeline/sessions/decided.js';
import { readStoredSession, SESSION_FIELDS, STORED_SESSION_FIELDS } from '../../pipeline/sessions/stored.js';

/** The hash fields a view is made of, in the order `openSessionView` takes their values. */
export const VIEW_FIELDS: readonly string[] = [...STORED_SESSION_FIELDS, SESSION_FIELDS.device, SESSION_FIELDS.source, SESSION_FIELDS.decided];

/** The view of a session hash's `VIEW_FIELDS` values; null when there is no session of that id. A closed one is still answered while its hash is kept (the ticker takes it out of the open index). */
export function openSessionView(sessionId: string, values: readonly (string | null | undefined)[], nowMs: number): OpenSessionView | null {
  const stored = readStoredSession(values.slice(0, STORED_SESSION_FIELDS.length));
  if (stored === null || stored.state.id !== sessionId) return null;
  const [device, source, decidedValue] = values.slice(STORED_SESSION_FIELDS.length);
  const s = stored.state;
  const signals = signalsOf(s, nowMs);
  const decided = readDecided(decidedValue);
  return {
    sessionId,
    anonymousId: stored.anonymousId,
    ...(s.userId !== undefined ? { userId: s.userId } : {}),
    startedAt: s.startedAt,
    lastActivityAt: s.lastActivityAt,
    ...(typeof device === 'string' ? { device } : {}),
    ...(typeof source === 'string' ? { source } : {}),
    pageViews: s.pageViews,
    events: s.events,
    ...(s.lastPageUrl !== '' ? { lastPageUrl: s.lastPageUrl } : {}),
    cartUnits: cartUnits(s.cart),
    purchased: s.purchased,
    signals: {
      intentCategory: signals.topCategory,
      intentShare: signals.topCategoryShare,
      engagement: signals.engagementIntensity,
      cartAbandonmentRisk: signals.cartAbandonmentRisk,
      bounceRisk: signals.bounceRisk,
    },
    variants: decided.variants,
    decisions: decided.decisions,
  };
}
