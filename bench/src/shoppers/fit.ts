/**
 * The shopper model fitted from a log of real sessions (diginetica.ts): the
 * shapes, never the sessions or their ids. What it estimates:
 *
 * - views per session: the distribution of the number of product views;
 * - time to the first view (the landing before any product) and the gaps
 *   between views: log-normal, by maximum likelihood, each with its KS distance;
 * - which product: the share of all views each product had, products named by
 *   their rank (1 = the most viewed), so the load has the log's long tail
 *   without any of its ids;
 * - going back to a product seen earlier in the session: the share of views
 *   after the first that were of a product already viewed in that session;
 * - signing in: the share of sessions with a user id, and of those the share
 *   that began anonymous and signed in on the way (before a later view);
 * - sessions per user: the distribution over the users the log names (a
 *   session is its first user's: a shared computer's second user is left out).
 *
 * Pure; the suite fits at run time from the CSV, so a larger log changes the load.
 */
import type { LoggedSession } from './diginetica.js';
import { discreteOf, fitLogNormal, type Discrete, type LogNormal } from './distributions.js';

export interface ShopperModel {
  viewsPerSession: Discrete<number>;
  firstViewMs: LogNormal;
  gapMs: LogNormal;
  /** Rank 1 is the most viewed product. */
  productRank: Discrete<number>;
  repeatShare: number;
  signInShare: number;
  /** Of the signed-in sessions, the share whose first view was anonymous. */
  midSessionSignInShare: number;
  sessionsPerUser: Discrete<number>;
  /** What it was fitted from. */
  source: { sessions: number; views: number; products: number; users: number; signedInSessions: number; nonPositiveDurations: number };
}

export function fitShopperModel(sessions: readonly LoggedSession[]): ShopperModel {
  if (sessions.length === 0) throw new Error('sessions: none to fit the shopper model from');
  const lengths = new Map<number, number>();
  const firstViews: number[] = [];
  const gaps: number[] = [];
  const viewsOf = new Map<string, number>();
  const sessionsOfUser = new Map<string, number>();
  let views = 0;
  let laterViews = 0;
  let repeats = 0;
  let signedIn = 0;
  let signedInLater = 0;
  let nonPositive = 0;
  const keepPositive = (into: number[], ms: number) => (ms > 0 ? into.push(ms) : (nonPositive += 1));

  for (const session of sessions) {
    const n = session.views.length;
    if (n === 0) continue;
    views += n;
    lengths.set(n, (lengths.get(n) ?? 0) + 1);
    keepPositive(firstViews, session.views[0]!.atMs);
    const seen = new Set<string>();
    session.views.forEach((view, i) => {
      viewsOf.set(view.item, (viewsOf.get(view.item) ?? 0) + 1);
      if (i > 0) {
        laterViews += 1;
        if (seen.has(view.item)) repeats += 1;
        keepPositive(gaps, view.atMs - session.views[i - 1]!.atMs);
      }
      seen.add(view.item);
    });
    const userId = session.views.find((view) => view.userId !== undefined)?.userId;
    if (userId !== undefined) {
      signedIn += 1;
      if (session.views[0]!.userId === undefined) signedInLater += 1;
      sessionsOfUser.set(userId, (sessionsOfUser.get(userId) ?? 0) + 1);
    }
  }

  const perUser = new Map<number, number>();
  for (const count of sessionsOfUser.values()) perUser.set(count, (perUser.get(count) ?? 0) + 1);
  const byRank = [...viewsOf.values()].sort((a, b) => b - a);
  return {
    viewsPerSession: discreteOf(new Map([...lengths].sort(([a], [b]) => a - b)), 'views per session'),
    firstViewMs: fitLogNormal(firstViews, 'time to the first view'),
    gapMs: fitLogNormal(gaps, 'gaps between views'),
    productRank: discreteOf(new Map(byRank.map((count, i) => [i + 1, count])), 'product views'),
    repeatShare: laterViews === 0 ? 0 : repeats / laterViews,
    signInShare: signedIn / sessions.length,
    midSessionSignInShare: signedIn === 0 ? 0 : signedInLater / signedIn,
    // A log without any user id still has users: each its one session.
    sessionsPerUser: perUser.size === 0 ? discreteOf(new Map([[1, 1]]), 'sessions per user') : discreteOf(new Map([...perUser].sort(([a], [b]) => a - b)), 'sessions per user'),
    source: { sessions: sessions.length, views, products: viewsOf.size, users: sessionsOfUser.size, signedInSessions: signedIn, nonPositiveDurations: nonPositive },
  };
}
