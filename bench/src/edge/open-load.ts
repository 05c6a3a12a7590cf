/**
 * The decision path at an offered rate: requests leave on a fixed schedule
 * (every 1000 / rate ms) whether or not earlier ones were answered, as
 * browsers send whatever the edge is doing (an open loop), unlike the
 * saturating load's fixed number in flight (decide-load.ts), whose latency is
 * mostly its own queue. Each request is timed from the moment it was due to
 * leave, not from when it left: a sender that fell behind does not hide the
 * wait (coordinated omission). A visitor is still never in flight twice;
 * when every visitor is waiting for an answer, the due request is counted as
 * not sent, never dropped silently.
 */
import { performance } from 'node:perf_hooks';
import { keepAliveAgent, post } from '../http.js';
import { progress } from '../progress.js';
import { percentile, round } from '../stats.js';
import type { DecideLoadTarget } from './decide-load.js';
import { USER_AGENT } from './decide-load.js';
import type { SimulatedVisitor } from './visitors.js';

export interface OpenLoadOptions {
  /** Requests per second offered. */
  ratePerS: number;
  seconds: number;
  /** Seconds at the same rate before the measured window. */
  warmupSeconds: number;
  batchSize: number;
}

export interface OpenLoadResult {
  /** From the moment each request of the measured window was due to its answer's last byte, ms. */
  latenciesMs: number[];
  /** Answers other than 200 (all phases), by status. */
  failures: Record<string, number>;
  failureSample?: string;
  /** Requests sent in the measured window (its CPU is counted from the first one's due time to the last answer). */
  sentMeasured: number;
  /** Due requests that found every visitor waiting for an answer (none sent for them). */
  notSent: number;
  /** How late the sender was, at most, behind the schedule (its own lag, not the edge's). */
  maxSendLagMs: number;
}

export async function openLoad(target: Omit<DecideLoadTarget, 'stub'>, visitors: SimulatedVisitor[], o: OpenLoadOptions): Promise<OpenLoadResult> {
  const label = target.label ?? 'open load';
  const intervalMs = 1000 / o.ratePerS;
  const total = Math.round((o.warmupSeconds + o.seconds) * o.ratePerS);
  const firstMeasured = Math.round(o.warmupSeconds * o.ratePerS);
  // Enough sockets that the client never queues a due request behind another (an answer slower than the whole run aside).
  const agent = keepAliveAgent(Math.min(visitors.length, 1024));
  const headers = { 'content-type': 'application/json', origin: target.origin, 'user-agent': USER_AGENT };
  const idle = [...visitors];
  const r: OpenLoadResult = { latenciesMs: [], failures: {}, sentMeasured: 0, notSent: 0, maxSendLagMs: 0 };
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const bar = progress();
  const ticker = setInterval(() => {
    const elapsed = (performance.now() - start) / 1000;
    bar.update(
      `  ${label}: ${Math.round(elapsed)}/${o.warmupSeconds + o.seconds} s at ${o.ratePerS} requests/s, p99 ${round(percentile(r.latenciesMs.slice(-1000), 99))} ms (last 1,000), ` +
        `${inFlight.size} in flight, ${Object.values(r.failures).reduce((a, b) => a + b, 0)} not 200, ${r.notSent} not sent`,
    );
  }, 1000);
  try {
    for (let i = 0; i < total; i++) {
      const due = start + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      r.maxSendLagMs = Math.max(r.maxSendLagMs, performance.now() - due);
      const visitor = idle.shift();
      if (visitor === undefined) {
        r.notSent++;
        continue;
      }
      const measured = i >= firstMeasured;
      if (i === firstMeasured) target.onWindow?.('start');
      if (measured) r.sentMeasured++;
      const body = JSON.stringify({ events: visitor.next(o.batchSize), sentAt: Date.now() });
      const sent = post(target.collectUrl, body, { ...headers, 'cf-connecting-ip': visitor.clientIp }, agent).then((res) => {
        const ms = performance.now() - due;
        idle.push(visitor);
        if (measured) r.latenciesMs.push(ms);
        if (res.status !== 200) {
          r.failures[res.status] = (r.failures[res.status] ?? 0) + 1;
          r.failureSample ??= `${res.status} ${res.body.slice(0, 300)}`;
        }
      }, (error: unknown) => {
        idle.push(visitor);
        r.failures['error'] = (r.failures['error'] ?? 0) + 1;
        r.failureSample ??= `error ${String(error).slice(0, 300)}`;
      });
      inFlight.add(sent);
      void sent.then(() => inFlight.delete(sent));
    }
    await Promise.all(inFlight);
    target.onWindow?.('end');
  } finally {
    clearInterval(ticker);
    bar.done();
    agent.destroy();
  }
  return r;
}
