/**
 * What an average visit of the model amounts to, estimated from many drawn
 * visits (a seed of its own, so the run's visits are not these): events, the
 * time a visit lasts (scaled), requests-to-be. The load turns an offered
 * events/s into visits/s with it. Pure.
 */
import { seededRandom } from '@sessionflow/core';
import { eventsOfStep, newTab } from './events.js';
import type { ShopperModel } from './fit.js';
import { planVisit } from './plan.js';
import type { PublishedRates } from './rates.js';

export interface VisitStats {
  visits: number;
  eventsPerVisit: number;
  sessionsPerVisit: number;
  devicesPerVisit: number;
  /** ms from a visit's first step to its last, after scaling. */
  meanVisitMs: number;
  signedInShare: number;
  cartShare: number;
  purchaseShare: number;
  /** Share of each event type among all events. */
  eventMix: Record<string, number>;
}

export function visitStats(model: ShopperModel, rates: PublishedRates, timeScale: number, seed: number, visits = 20_000): VisitStats {
  const random = seededRandom(seed);
  let events = 0;
  let sessions = 0;
  let devices = 0;
  let durationMs = 0;
  let signedIn = 0;
  let carts = 0;
  let purchases = 0;
  const mix: Record<string, number> = {};
  let n = 0;
  const newId = () => `id-${(n += 1)}-xxxxxxxx`;
  for (let i = 0; i < visits; i += 1) {
    const visit = planVisit(model, rates, random, i, { timeScale, userIdOf: (v) => `shopper-${v}` });
    if (visit.userId !== undefined) signedIn += 1;
    devices += visit.devices.length;
    for (const session of visit.sessions) {
      sessions += 1;
      let tab = newTab('anonymous-id', 'session-id', 'http://shop.test');
      for (const step of session.steps) {
        if (step.kind === 'add_to_cart') carts += 1;
        if (step.kind === 'leave' && step.bought.length > 0) purchases += 1;
        const made = eventsOfStep(tab, step, { origin: 'http://shop.test', newId, now: 1_700_000_000_000, signIn: { userId: 'u', token: 'a.b.c' } });
        tab = made.tab;
        events += made.events.length;
        for (const e of made.events) {
          const kind = e.type === 'track' ? `track:${e.name}` : e.type;
          mix[kind] = (mix[kind] ?? 0) + 1;
        }
      }
      const last = visit.sessions[visit.sessions.length - 1]!;
      if (session === last) durationMs += last.startMs + last.steps[last.steps.length - 1]!.atMs;
    }
  }
  return {
    visits,
    eventsPerVisit: events / visits,
    sessionsPerVisit: sessions / visits,
    devicesPerVisit: devices / visits,
    meanVisitMs: durationMs / visits,
    signedInShare: signedIn / visits,
    cartShare: carts / sessions,
    purchaseShare: purchases / sessions,
    eventMix: Object.fromEntries(Object.entries(mix).map(([k, v]) => [k, v / events])),
  };
}
