/**
 * The decision path under load: simulated visitors post their batches to the
 * edge's `POST /v1/collect`, `concurrency` at a time, and every request is
 * timed on the client (performance.now() around the request, from sending to
 * the last byte of the answer). A visitor is never in flight twice: visitors
 * wait in a queue and go back to its end after each answer, as one browser
 * tab sends one batch at a time.
 */
import { performance } from 'node:perf_hooks';
import { keepAliveAgent, post } from '../http.js';
import { progress } from '../progress.js';
import { percentile, round } from '../stats.js';
import type { CollectorStub } from './collector-stub.js';
import type { SimulatedVisitor } from './visitors.js';

export interface DecideLoadOptions {
  seconds: number;
  warmupSeconds: number;
  concurrency: number;
  batchSize: number;
}

export interface DecideLoadTarget {
  collectUrl: URL;
  origin: string;
  stub: CollectorStub;
  /** Names the phase on the progress line. */
  label?: string;
  /** Called when the measured window opens and when it closes (to read CPU counters). */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface DecideLoadResult {
  /** Latency of every request started in the measured window, ms. */
  latenciesMs: number[];
  /** 200 answers in the measured window. */
  ok: number;
  /** 200 answers that carried at least one action. */
  withActions: number;
  /** Actions by rule id, over the measured window. */
  actionsByRule: Record<string, number>;
  /** Answers other than 200, by status, over the whole run (warm-up included). */
  failures: Record<string, number>;
  /** A sample of what the edge said when it did not answer 200. */
  failureSample?: string;
  /** Events the edge accepted over the whole run (warm-up included). */
  acceptedTotal: number;
  rejectedTotal: number;
  requestsTotal: number;
  /** Events the stub received in the measured window. */
  relayedInWindow: number;
  /** performance.now() of the measured window. */
  window: { from: number; to: number };
}

interface CollectAnswer {
  accepted: number;
  rejected: unknown[];
  actions: Array<{ ruleId?: string }>;
}

// A desktop browser's user agent: without one the edge flags the visitor as an obvious bot.
export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export async function decideLoad(target: DecideLoadTarget, visitors: SimulatedVisitor[], o: DecideLoadOptions): Promise<DecideLoadResult> {
  if (visitors.length < o.concurrency) throw new Error(`${visitors.length} visitors cannot keep ${o.concurrency} requests in flight without sending twice for one visitor`);
  const label = target.label ?? 'decide load';
  const agent = keepAliveAgent(o.concurrency);
  const headers = { 'content-type': 'application/json', origin: target.origin, 'user-agent': USER_AGENT };
  const idle = [...visitors];
  const start = performance.now();
  const from = start + o.warmupSeconds * 1000;
  const to = from + o.seconds * 1000;
  const r: DecideLoadResult = {
    latenciesMs: [],
    ok: 0,
    withActions: 0,
    actionsByRule: {},
    failures: {},
    acceptedTotal: 0,
    rejectedTotal: 0,
    requestsTotal: 0,
    relayedInWindow: 0,
    window: { from, to },
  };

  // Set when one sender fails, so the others stop too instead of loading a run that is already lost.
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const visitor = idle.shift();
      if (visitor === undefined) throw new Error('no idle visitor: the queue lost one');
      // The batch is built before the clock starts: only the request is timed.
      const body = JSON.stringify({ events: visitor.next(o.batchSize), sentAt: Date.now() });
      const t0 = performance.now();
      if (t0 >= to) {
        idle.push(visitor);
        return;
      }
      const res = await post(target.collectUrl, body, { ...headers, 'cf-connecting-ip': visitor.clientIp }, agent);
      const ms = performance.now() - t0;
      idle.push(visitor);
      r.requestsTotal++;
      const measured = t0 >= from;
      if (measured) r.latenciesMs.push(ms);
      if (res.status !== 200) {
        r.failures[res.status] = (r.failures[res.status] ?? 0) + 1;
        r.failureSample ??= `${res.status} ${res.body.slice(0, 300)}`;
        continue;
      }
      const answer = JSON.parse(res.body) as CollectAnswer;
      r.acceptedTotal += answer.accepted;
      r.rejectedTotal += answer.rejected.length;
      if (answer.rejected.length > 0) {
        // The simulated events must be valid, or the figure measures error answers.
        throw new Error(`the edge rejected simulated events: ${JSON.stringify(answer.rejected).slice(0, 500)}`);
      }
      if (!measured) continue;
      r.ok++;
      if (answer.actions.length > 0) r.withActions++;
      for (const action of answer.actions) r.actionsByRule[action.ruleId ?? '?'] = (r.actionsByRule[action.ruleId ?? '?'] ?? 0) + 1;
    }
  };

  const marks = [setTimeout(() => target.onWindow?.('start'), from - start), setTimeout(() => target.onWindow?.('end'), to - start)];
  const bar = progress();
  const ticker = setInterval(() => {
    const now = performance.now();
    const failed = Object.values(r.failures).reduce((a, b) => a + b, 0);
    if (now < from) {
      bar.update(`  ${label}: warm-up, ${r.requestsTotal} requests, ${failed} not 200`);
      return;
    }
    const elapsed = Math.min(o.seconds, (now - from) / 1000);
    bar.update(
      `  ${label}: ${Math.round(elapsed)}/${o.seconds} s, ${Math.round(r.latenciesMs.length / Math.max(elapsed, 0.001))} requests/s, ` +
        `p50 ${round(percentile(r.latenciesMs.slice(-2000), 50))} ms (last 2,000), ${failed} not 200`,
    );
  }, 1000);
  try {
    await Promise.all(
      Array.from({ length: o.concurrency }, () =>
        worker().catch((err: unknown) => {
          stopped = true;
          throw err;
        }),
      ),
    );
  } finally {
    clearInterval(ticker);
    marks.forEach(clearTimeout);
    bar.done();
    agent.destroy();
  }
  r.relayedInWindow = target.stub.eventsBetween(from, to);
  return r;
}
