/**
 * Shoppers as an open-loop load on the edge: visits arrive at random (a
 * Poisson process) at the rate that makes the offered events per second, and
 * keep arriving at that rate however slowly the edge answers; each visit plays
 * its planned sessions (plan.ts) in real time, on its own devices. A device is
 * a browser tab running the SDK's own delivery code (sdk-delivery.ts) over the
 * SDK's memory queue, so batching, one send at a time, Retry-After and backoff
 * are the SDK's; it sends through `POST /v1/collect` (transport.ts) and stays
 * until the edge has taken everything it captured (a tab left open: a closed
 * tab's beacon is the sdk-loss suite's subject).
 *
 * What it saw goes into a tally (tally.ts) by phase: the suite names the phases
 * and sets the rate.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { seededRandom } from '@sessionflow/core';
import { benchClientIp } from '../events.js';
import { eventsOfStep, newTab, type Tab } from './events.js';
import type { ShopperModel } from './fit.js';
import { signIdentityToken } from './identity-token.js';
import { planVisit, type PlannedSession, type Visit } from './plan.js';
import { USER_AGENTS, type DeviceKind, type PublishedRates } from './rates.js';
import type { Batcher, SdkDelivery, Transport, VisitorEvent } from './sdk-delivery.js';
import { createTally, recordAnswer, recordOffered, type Tally } from './tally.js';
import { nodeTransport, type CollectAnswer } from './transport.js';

/** Answers after which the SDK forgets a batch for good (sdk/src/delivery/batcher.ts, REFUSED_FOR_GOOD). */
const REFUSED_FOR_GOOD = new Set([400, 413, 415]);
const ARRIVAL_TICK_MS = 20;
const FINISH_TICK_MS = 250;

export interface ShopperLoadOptions {
  sdk: SdkDelivery;
  model: ShopperModel;
  rates: PublishedRates;
  /** `<edge>/v1/collect?site=<siteKey>`, as the SDK builds it. */
  collectUrl: string;
  /** The shop's origin, one the edge allows for the site. */
  origin: string;
  siteKey: string;
  /** The site's identity secret: the shop's server signs sign-ins with it. */
  identitySecret: string;
  timeScale: number;
  seed: number;
  /** Events one visit makes on average (meanEventsPerVisit): turns events/s into visits/s. */
  eventsPerVisit: number;
  /** Connections to the edge at most (a browser has its own; one process shares a pool). */
  maxSockets: number;
}

export interface ShopperLoad {
  readonly tally: Tally;
  /** Answers and events from now on count for `name`. */
  setPhase(name: string): void;
  /** The offered rate from now on, in events/s (0: no new visits). */
  setRate(eventsPerS: number): void;
  /** Ends every session where it is: no more steps, only delivery of what was captured. */
  stopCapture(): void;
  /** What live devices hold that the edge has not taken yet. */
  holding(): { devices: number; events: number; visits: number };
  /** Events the SDK's queue bound pushed out (a device holding more than its queue takes). */
  dropped(): number;
  /** The shoppers leave: nothing more is captured or sent, and nothing of theirs keeps the process alive. */
  close(): void;
}

interface Device {
  anonymousId: string;
  batcher: Batcher<VisitorEvent>;
  outstanding: Set<string>;
  dropped: number;
  finished: boolean;
}

const hexId = () => randomBytes(16).toString('hex');

export function startShopperLoad(o: ShopperLoadOptions): ShopperLoad {
  const origin = performance.now();
  const tally = createTally(origin);
  const boundaries: Array<{ at: number; name: string }> = [{ at: origin, name: tally.phase }];
  const phaseAt = (t: number) => {
    for (let i = boundaries.length - 1; i >= 0; i -= 1) if (boundaries[i]!.at <= t) return boundaries[i]!.name;
    return boundaries[0]!.name;
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets });
  // The SDK keeps up to four sends of a device on their way: many wait in the agent for a socket, and would go out after close.
  const stopping = new AbortController();
  const arrivalsRandom = seededRandom(o.seed);
  const live = new Set<Device>();
  let liveVisits = 0;
  let visits = 0;
  let devices = 0;
  let droppedTotal = 0;
  let capturing = true;
  let visitsPerS = 0;
  let nextArrival = Number.POSITIVE_INFINITY;

  // Once closed, the shoppers are gone: a send never completes (so the SDK schedules no retry) and no step wakes up.
  let closed = false;
  const never = new Promise<never>(() => {});
  const sleeping = new Set<ReturnType<typeof setTimeout>>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleeping.delete(timer);
        resolve();
      }, ms);
      sleeping.add(timer);
    });

  const device = (kind: DeviceKind): Device => {
    const d: Device = { anonymousId: hexId(), batcher: undefined!, outstanding: new Set(), dropped: 0, finished: false };
    const sdkTransport = nodeTransport(agent, { origin: o.origin, userAgent: USER_AGENTS[kind], clientIp: benchClientIp(devices++) }, o.sdk.defaults.requestTimeoutMs, (a: CollectAnswer) => {
      recordAnswer(tally, a, phaseAt(a.sentAt));
      // What the SDK lets go of: a 2xx settles the whole batch, and so does a refusal for good.
      if ((a.status >= 200 && a.status < 300) || REFUSED_FOR_GOOD.has(a.status)) for (const id of a.eventIds) d.outstanding.delete(id);
    }, stopping.signal);
    const transport: Transport = {
      send: (url, body) =>
        closed
          ? never
          : sdkTransport.send(url, body).then(
              (answer) => (closed ? never : answer),
              (error: unknown) => (closed ? never : Promise.reject(error)),
            ),
    };
    let unreported = 0;
    d.batcher = o.sdk.createBatcher(o.sdk.memoryQueue<VisitorEvent>(), transport, {
      collectUrl: o.collectUrl,
      maxBatch: o.sdk.defaults.maxBatch,
      flushIntervalMs: o.sdk.defaults.flushIntervalMs,
      now: Date.now,
      random: seededRandom(o.seed ^ Math.imul(devices, 0x9e3779b1)),
      dropped: {
        add: (count) => {
          d.dropped += count;
          droppedTotal += count;
          unreported += count;
        },
        take: () => {
          const count = unreported;
          unreported = 0;
          return count;
        },
      },
    });
    live.add(d);
    return d;
  };

  const runSession = async (visit: Visit, session: PlannedSession, d: Device, startAt: number): Promise<void> => {
    let tab: Tab = newTab(d.anonymousId, hexId(), o.origin);
    for (const step of session.steps) {
      const wait = startAt + step.atMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (!capturing) return;
      const signIn =
        step.kind === 'sign_in' && visit.userId !== undefined
          ? { userId: visit.userId, token: await signIdentityToken({ userId: visit.userId, siteKey: o.siteKey, secret: o.identitySecret, nowMs: Date.now() }) }
          : undefined;
      const made = eventsOfStep(tab, step, { origin: o.origin, newId: hexId, now: Date.now(), ...(signIn ? { signIn } : {}) });
      tab = made.tab;
      for (const event of made.events) {
        d.outstanding.add(event.eventId);
        d.batcher.add(event as VisitorEvent);
      }
      recordOffered(tally, made.events.length);
    }
  };

  const startVisit = () => {
    const index = visits++;
    const visit = planVisit(o.model, o.rates, seededRandom((o.seed + 1) ^ Math.imul(index + 1, 0x85ebca6b)), index, { timeScale: o.timeScale, userIdOf: (i) => `shopper-${i}` });
    const ds = visit.devices.map(device);
    const startAt = performance.now();
    liveVisits += 1;
    void (async () => {
      try {
        // A user's sessions follow one another (their start times say so), each on its device.
        await Promise.all(visit.sessions.map((s) => runSession(visit, s, ds[s.device]!, startAt + s.startMs)));
      } finally {
        liveVisits -= 1;
        for (const d of ds) d.finished = true;
      }
    })().catch((error: unknown) => console.error(`  shoppers: visit ${index} failed: ${error instanceof Error ? error.message : String(error)}`));
  };

  const exponential = () => -Math.log(1 - arrivalsRandom()) / visitsPerS;
  const arrivals = setInterval(() => {
    const now = performance.now();
    // Open loop: every visit due by now starts now, however late this tick runs.
    while (nextArrival <= now) {
      startVisit();
      nextArrival += exponential() * 1000;
    }
  }, ARRIVAL_TICK_MS);
  const finisher = setInterval(() => {
    for (const d of live) {
      // Delivered all it captured (or all the SDK kept, when its queue bound dropped some and the queue is empty).
      if (d.finished && (d.outstanding.size === 0 || (d.dropped > 0 && d.outstanding.size <= d.dropped))) {
        d.batcher.stop();
        live.delete(d);
      }
    }
  }, FINISH_TICK_MS);

  return {
    tally,
    setPhase(name) {
      tally.phase = name;
      boundaries.push({ at: performance.now(), name });
    },
    setRate(eventsPerS) {
      if (!(eventsPerS >= 0)) throw new Error(`the offered rate must be 0 or more events/s, got ${eventsPerS}`);
      visitsPerS = eventsPerS / o.eventsPerVisit;
      // Memoryless: the next arrival is drawn afresh from now at the new rate.
      nextArrival = visitsPerS > 0 ? performance.now() + exponential() * 1000 : Number.POSITIVE_INFINITY;
    },
    stopCapture() {
      capturing = false;
      nextArrival = Number.POSITIVE_INFINITY;
      visitsPerS = 0;
    },
    holding() {
      let events = 0;
      for (const d of live) events += d.outstanding.size;
      return { devices: live.size, events, visits: liveVisits };
    },
    dropped: () => droppedTotal,
    close() {
      closed = true;
      clearInterval(arrivals);
      clearInterval(finisher);
      capturing = false;
      for (const timer of sleeping) clearTimeout(timer);
      sleeping.clear();
      for (const d of live) d.batcher.stop();
      live.clear();
      stopping.abort();
      agent.destroy();
    },
  };
}
