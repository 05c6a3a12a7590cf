/**
 * The risks that depend on the clock: how long the visitor has been quiet
 * changes them even when no event arrives (a later `GET /v1/decide`).
 */
import { cartUnits } from './cart.js';
import type { OpenSession } from './open-session.js';

export const RISK_SCALES = Object.freeze({
  /** Quiet time that counts as fully idle. */
  idleMs: 60_000,
  /** Active dwell after which a single page view is no longer a likely bounce. */
  bounceDwellMs: 30_000,
  /** The risk of an unbought cart before any sign of leaving. */
  cartRiskFloor: 0.4,
});

/** Idleness, 0..1: the time since the session's latest activity over a minute (a clock behind the session reads as 0). */
export function idleShare(s: OpenSession, nowMs: number): number {
  return Math.min(1, Math.max(0, nowMs - s.lastActivityAt) / RISK_SCALES.idleMs);
}

/** Cart-abandonment risk, 0..1: 0 with an empty cart or after a purchase; else 0.4 + 0.6 × (1 if the latest move was to leave, else idleness). */
export function cartAbandonmentRisk(s: OpenSession, nowMs: number): number {
  if (s.purchased || cartUnits(s.cart) === 0) return 0;
  const leaving = s.leaving ? 1 : idleShare(s, nowMs);
  return RISK_SCALES.cartRiskFloor + (1 - RISK_SCALES.cartRiskFloor) * leaving;
}

/** Bounce risk, 0..1: 0 after a second page view or any click; else the larger of idleness and the share of 30 s of active dwell not yet spent. */
export function bounceRisk(s: OpenSession, nowMs: number): number {
  if (s.pageViews > 1 || s.clicks > 0) return 0;
  const unengaged = 1 - Math.min(1, s.activeMs / RISK_SCALES.bounceDwellMs);
  return Math.max(unengaged, idleShare(s, nowMs));
}
