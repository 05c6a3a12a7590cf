/**
 * All the session signals as one flat record: the `signals` the rules'
 * conditions read (`{"var": "signals.topCategoryShare"}` and the like).
 */
import type { SessionBaseline } from './baseline.js';
import { cartUnits } from './cart.js';
import type { OpenSession } from './open-session.js';
import { bounceRisk, cartAbandonmentRisk } from './risks.js';
import {
  activeDwell,
  behaviouralDeviation,
  categoryIntent,
  engagementIntensity,
  interactionFrequency,
  scrollDepth,
  sessionDuration,
  topCategory,
} from './signals.js';

export interface SessionSignals {
  sessionDuration: number;
  activeDwell: number;
  scrollDepth: number;
  interactionFrequency: number;
  engagementIntensity: number;
  categoryIntent: Record<string, number>;
  topCategory: string;
  topCategoryShare: number;
  /** Product views, repeats included. */
  productViews: number;
  /** Units in the cart. */
  cartItems: number;
  behaviouralDeviation: number;
  cartAbandonmentRisk: number;
  bounceRisk: number;
}

export function signalsOf(s: OpenSession, nowMs: number, baseline?: SessionBaseline): SessionSignals {
  const intent = categoryIntent(s);
  const top = topCategory(intent);
  return {
    sessionDuration: sessionDuration(s),
    activeDwell: activeDwell(s),
    scrollDepth: scrollDepth(s),
    interactionFrequency: interactionFrequency(s),
    engagementIntensity: engagementIntensity(s),
    categoryIntent: intent,
    topCategory: top.category,
    topCategoryShare: top.share,
    productViews: s.productViews,
    cartItems: cartUnits(s.cart),
    behaviouralDeviation: behaviouralDeviation(s, baseline),
    cartAbandonmentRisk: cartAbandonmentRisk(s, nowMs),
    bounceRisk: bounceRisk(s, nowMs),
  };
}
