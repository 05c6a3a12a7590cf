/**
 * One visit drawn from the shopper model: who (anonymous, or a signed-in user
 * with one or two devices), how many sessions, and for each session the steps
 * a shopper takes and when. Pure: the same model, rates and seeded `random`
 * give the same visit.
 *
 * A session: the landing page at 0 (signing in right then, for the share of
 * sessions that do; a few sign in on the way, just before a later view), the first
 * product view after the landing time, each next view after a gap, a product
 * either seen earlier in the session (the fitted share) or drawn by
 * popularity; then the shopper stays on the last page for one more gap and
 * leaves, through the checkout when the session buys. A session that adds to
 * its cart does so halfway between one of its views (any, alike) and its next
 * step. Times are divided by `timeScale` (the run compresses a shopper's
 * minutes into seconds, keeping the shape), while the active time a page
 * reports as dwell is the shopper's real one, capped as the SDK caps it.
 *
 * Visits of signed-in users: sessions per user from the log; a user on two
 * devices (the published cross-device share) has at least one session on each,
 * taken in turn (phone, then laptop), the next session starting a gap after the
 * previous one ended. Anonymous visitors: one session, one device (nothing in
 * the log ties two anonymous sessions together).
 */
import { drawDiscrete, drawLogNormal } from './distributions.js';
import type { ShopperModel } from './fit.js';
import type { DeviceKind, PublishedRates } from './rates.js';

/** The SDK stops counting active time 30 s after the visitor's last input (sdk/src/capture/dwell.ts, IDLE_AFTER_MS). */
export const DWELL_IDLE_AFTER_MS = 30_000;

export type Step =
  | { atMs: number; kind: 'landing' }
  | { atMs: number; kind: 'sign_in' }
  /** A product page; `leftActiveMs` is the active time of the page it leaves (the landing page, or the previous product). */
  | { atMs: number; kind: 'view'; product: number; leftActiveMs: number }
  | { atMs: number; kind: 'add_to_cart'; product: number }
  /** The session ends: the last product page's active time, then the checkout when `bought` holds products. */
  | { atMs: number; kind: 'leave'; leftActiveMs: number; bought: number[] };

export interface PlannedSession {
  /** Index into the visit's devices. */
  device: number;
  /** ms after the visit began (scaled). */
  startMs: number;
  /** In time order; `atMs` from the session's start (scaled). */
  steps: Step[];
}

export interface Visit {
  /** Set when the shopper signs in. */
  userId: string | undefined;
  devices: DeviceKind[];
  sessions: PlannedSession[];
}

export interface PlanOptions {
  /** Real durations are divided by this. */
  timeScale: number;
  /** Names the user of a signed-in visit (unique per visit in a run). */
  userIdOf: (visit: number) => string;
}

export function planVisit(model: ShopperModel, rates: PublishedRates, random: () => number, visit: number, o: PlanOptions): Visit {
  if (!(o.timeScale > 0)) throw new Error(`timeScale must be above 0, got ${o.timeScale}`);
  const signedIn = random() < model.signInShare;
  const deviceCount = signedIn && random() < rates.crossDevice ? 2 : 1;
  const devices = Array.from({ length: deviceCount }, () => drawDevice(rates, random));
  const count = signedIn ? Math.max(drawDiscrete(model.sessionsPerUser, random), deviceCount) : 1;
  const sessions: PlannedSession[] = [];
  let startMs = 0;
  for (let i = 0; i < count; i += 1) {
    const steps = planSession(model, rates, random, signedIn, o.timeScale);
    sessions.push({ device: i % deviceCount, startMs, steps });
    startMs += steps[steps.length - 1]!.atMs + drawLogNormal(model.gapMs, random) / o.timeScale;
  }
  return { userId: signedIn ? o.userIdOf(visit) : undefined, devices, sessions };
}

function planSession(model: ShopperModel, rates: PublishedRates, random: () => number, signedIn: boolean, timeScale: number): Step[] {
  const views = drawDiscrete(model.viewsPerSession, random);
  // Before which view the shopper signs in: 0 is on landing; later, for the share of sessions that do so on the way.
  const signInBefore = !signedIn ? -1 : views > 1 && random() < model.midSessionSignInShare ? 1 + Math.floor(random() * (views - 1)) : 0;
  const steps: Step[] = [{ atMs: 0, kind: 'landing' }];
  if (signInBefore === 0) steps.push({ atMs: 0, kind: 'sign_in' });
  const seen: number[] = [];
  const viewAt: number[] = [];
  let realMs = drawLogNormal(model.firstViewMs, random);
  let lastGap = 0;
  for (let i = 0; i < views; i += 1) {
    if (i > 0) realMs += lastGap = drawLogNormal(model.gapMs, random);
    if (i > 0 && i === signInBefore) steps.push({ atMs: realMs / timeScale, kind: 'sign_in' });
    const product = seen.length > 0 && random() < model.repeatShare ? seen[Math.floor(random() * seen.length)]! : drawDiscrete(model.productRank, random);
    if (!seen.includes(product)) seen.push(product);
    viewAt.push(realMs);
    steps.push({ atMs: realMs / timeScale, kind: 'view', product, leftActiveMs: activeMs(i === 0 ? realMs : lastGap) });
  }
  const stay = drawLogNormal(model.gapMs, random);
  const endMs = realMs + stay;
  const carted = views > 0 && random() < rates.addToCart;
  // Only a session with a cart buys: P(buy | cart) = P(buy) / P(cart).
  const bought = carted && random() < rates.purchase / rates.addToCart;
  if (carted) {
    const j = Math.floor(random() * views);
    const from = viewAt[j]!;
    const to = j + 1 < views ? viewAt[j + 1]! : endMs;
    const product = (steps.filter((s) => s.kind === 'view')[j] as { product: number }).product;
    steps.push({ atMs: (from + (to - from) / 2) / timeScale, kind: 'add_to_cart', product });
  }
  const cart = steps.flatMap((s) => (s.kind === 'add_to_cart' ? [s.product] : []));
  steps.push({ atMs: endMs / timeScale, kind: 'leave', leftActiveMs: activeMs(stay), bought: bought ? cart : [] });
  // Stable: a cart step lands between the views it follows and precedes.
  return steps.sort((a, b) => a.atMs - b.atMs);
}

/** A page's active time as the SDK counts it when nothing but arriving on it was seen: up to the idle cut-off. */
function activeMs(onPageMs: number): number {
  return Math.round(Math.min(onPageMs, DWELL_IDLE_AFTER_MS));
}

function drawDevice(rates: PublishedRates, random: () => number): DeviceKind {
  const u = random();
  const { mobile, desktop } = rates.deviceMix;
  return u < mobile ? 'mobile' : u < mobile + desktop ? 'desktop' : 'tablet';
}
