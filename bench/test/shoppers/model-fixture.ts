import { discreteOf } from '../../src/shoppers/distributions.js';
import type { ShopperModel } from '../../src/shoppers/fit.js';
import type { PublishedRates } from '../../src/shoppers/rates.js';

/** A model with fixed durations (sigma 0): 20 s to the first view, 60 s between views. */
export function fixedModel(over: Partial<ShopperModel> = {}): ShopperModel {
  return {
    viewsPerSession: discreteOf(new Map([[3, 1]]), 'views'),
    firstViewMs: { mu: Math.log(20_000), sigma: 0, max: 1e9, n: 10, ks: 0 },
    gapMs: { mu: Math.log(60_000), sigma: 0, max: 1e9, n: 10, ks: 0 },
    productRank: discreteOf(new Map([[1, 5], [2, 3], [3, 2]]), 'products'),
    repeatShare: 0,
    signInShare: 0,
    midSessionSignInShare: 0,
    sessionsPerUser: discreteOf(new Map([[1, 1]]), 'sessions per user'),
    source: { sessions: 10, views: 30, products: 3, users: 0, signedInSessions: 0, nonPositiveDurations: 0 },
    ...over,
  };
}

export const rates = (over: Partial<PublishedRates> = {}): PublishedRates => ({
  addToCart: 0,
  purchase: 0,
  crossDevice: 0,
  deviceMix: { mobile: 0.65, desktop: 0.3217, tablet: 0.0283 },
  ...over,
});
