/**
 * What the load generator saw, per phase of a run: events the shoppers
 * produced (offered), the collect answers (status, latency, the level the edge
 * decided at), and the event ids the edge accepted, each counted once however
 * often it travelled. Plain data; the suite reads figures from it.
 */
import type { CollectAnswer } from './transport.js';

/** What an answer without `x-sf-level` is counted as: the edge said nothing about degrading. */
export const ABSENT = 'absent';

export interface PhaseTally {
  /** Events the shoppers produced (the SDK captured) in the phase. */
  offered: number;
  /** Event ids first accepted in the phase. */
  accepted: number;
  requests: number;
  /** Answers by status; `timeout` and `network` for none. */
  byStatus: Record<string, number>;
  /** Latency of each 200 answer, ms. */
  okLatenciesMs: number[];
  /** 200 answers by their `x-sf-level` (ABSENT when the header was not sent). */
  okByLevel: Record<string, number>;
  /** 200 answers by `x-sf-level-reason`, when sent. */
  okByReason: Record<string, number>;
  /** Retry-After values the edge sent with refusals, by value. */
  retryAfter: Record<string, number>;
  /** 200 answers that carried at least one decision. */
  okWithActions: number;
  /** The edge's verdicts on identifies: `verified`, or why not. */
  identity: Record<string, number>;
  /** The first thing each status other than 200 said (its body, or the request's error). */
  said: Record<string, string>;
}

export interface Tally {
  phase: string;
  phases: Map<string, PhaseTally>;
  accepted: Set<string>;
  /** Accepted event id → the device (anonymous id) whose visitor object took it: where to look for it in the edge. */
  acceptedBy: Map<string, string>;
  /** Every event id sent so far. */
  sent: Set<string>;
  /** Events sent more than once (a retry after a lost answer, a timeout). */
  resent: number;
  /** Per whole second since `origin` (performance.now() ms), the levels 200 answers carried. */
  levelsBySecond: Map<number, Record<string, number>>;
  origin: number;
}

export function createTally(origin: number, phase = 'start'): Tally {
  return { phase, phases: new Map(), accepted: new Set(), acceptedBy: new Map(), sent: new Set(), resent: 0, levelsBySecond: new Map(), origin };
}

function phaseOf(t: Tally, name = t.phase): PhaseTally {
  let p = t.phases.get(name);
  if (!p) {
    p = { offered: 0, accepted: 0, requests: 0, byStatus: {}, okLatenciesMs: [], okByLevel: {}, okByReason: {}, retryAfter: {}, okWithActions: 0, identity: {}, said: {} };
    t.phases.set(name, p);
  }
  return p;
}

const bump = (into: Record<string, number>, key: string, by = 1) => (into[key] = (into[key] ?? 0) + by);

export function recordOffered(t: Tally, events: number): void {
  phaseOf(t).offered += events;
}

/** An answer is charged to the phase its request was sent in. */
export function recordAnswer(t: Tally, a: CollectAnswer, phase: string): void {
  const p = phaseOf(t, phase);
  p.requests += 1;
  bump(p.byStatus, a.failure ?? String(a.status));
  for (const id of a.eventIds) {
    if (t.sent.has(id)) t.resent += 1;
    else t.sent.add(id);
  }
  if (a.retryAfter !== undefined && a.status !== 200) bump(p.retryAfter, a.retryAfter);
  if (a.said !== undefined) p.said[a.failure ?? String(a.status)] ??= a.said;
  if (a.status !== 200) return;
  p.okLatenciesMs.push(a.latencyMs);
  if (a.actions > 0) p.okWithActions += 1;
  if (a.identity !== undefined) bump(p.identity, a.identity);
  const level = a.level ?? ABSENT;
  bump(p.okByLevel, level);
  if (a.levelReason !== undefined) bump(p.okByReason, a.levelReason);
  const second = Math.floor((a.sentAt + a.latencyMs - t.origin) / 1000);
  bump(t.levelsBySecond.get(second) ?? t.levelsBySecond.set(second, {}).get(second)!, level);
  for (const id of a.acceptedIds) {
    if (t.accepted.has(id)) continue;
    t.accepted.add(id);
    if (a.anonymousId !== undefined) t.acceptedBy.set(id, a.anonymousId);
    p.accepted += 1;
  }
}
