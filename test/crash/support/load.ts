/**
 * A steady load through the edge's `POST /v1/collect`, sent the way the SDK
 * sends (sdk/src/delivery/batcher.ts): each visitor's batches in order, one
 * request at a time, a batch kept and sent again until the edge answers 2xx —
 * after `Retry-After` on 429 and 503, after a backoff on any other failure or
 * a network error — and given up only on the answers the SDK drops for good
 * (400, 413, 415), which here mean a broken workload and fail the run. An
 * event is accepted once the edge answered 200 for its batch.
 *
 * Offered rate: visitor i sends batch b at `(i / visitors + b) × gap` from the
 * start, gap = durationMs / batches, so requests arrive evenly; a visitor held
 * up by retries sends what it owes as soon as it can, as a page would.
 * The backoff is the SDK's (from 1 s, doubling, half to all of it by a seeded
 * jitter) with a 4 s cap instead of its 30 s, which keeps a crash test's
 * outage from costing half a minute per visitor.
 */
import { seededRandom } from '@sessionflow/core';
import type { Workload } from './workload.js';

export interface LoadTarget {
  edgeUrl: string;
  siteKey: string;
  /** The site's allowed origin: the page the SDK runs on. */
  origin: string;
}

export interface LoadResult {
  /** Event id → when the edge answered 200 for it (epoch ms). */
  accepted: Map<string, number>;
  /** Events whose batch was never answered 200 before the deadline. */
  unsent: number;
  requests: number;
  /** Answers by status and error code (`503 collector_unavailable`), and `network` for requests that got none. */
  answers: Record<string, number>;
  startedAt: number;
  endedAt: number;
}

export interface RunningLoad {
  readonly startedAt: number;
  done: Promise<LoadResult>;
  /** Share of the workload's batches sent so far (answered or not). */
  sentShare(): number;
}

const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 4_000;
const REQUEST_TIMEOUT_MS = 10_000;
const REFUSED_FOR_GOOD = [400, 413, 415];

/** The `error` of an edge's JSON refusal, or what the body starts with. */
function errorCode(body: string): string {
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error;
    if (typeof error === 'string') return error;
  } catch {
    // Not JSON: wrangler's own answer.
  }
  return body.slice(0, 40).replace(/\s+/g, ' ');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** `Retry-After` in ms (delay-seconds or an HTTP date), undefined when absent or unreadable. */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function startLoad(workload: Workload, target: LoadTarget, opts: { durationMs: number; deadlineMs: number }): RunningLoad {
  const startedAt = Date.now();
  const batches = workload.visitors.reduce((n, v) => n + v.batches.length, 0);
  const perVisitor = Math.max(...workload.visitors.map((v) => v.batches.length));
  const gapMs = opts.durationMs / perVisitor;
  const deadline = startedAt + opts.deadlineMs;
  const result: LoadResult = { accepted: new Map(), unsent: 0, requests: 0, answers: {}, startedAt, endedAt: 0 };
  let sent = 0;
  const url = `${target.edgeUrl}/v1/collect?site=${encodeURIComponent(target.siteKey)}`;
  const count = (what: string): void => {
    result.answers[what] = (result.answers[what] ?? 0) + 1;
  };

  const runVisitor = async (v: Workload['visitors'][number]): Promise<void> => {
    // The jitter of the visitor's backoff, the same every run.
    const jitter = seededRandom(v.index + 1);
    for (const [b, events] of v.batches.entries()) {
      await sleep(startedAt + (v.index / workload.visitors.length + b) * gapMs - Date.now());
      sent++;
      let failures = 0;
      for (;;) {
        if (Date.now() > deadline) {
          result.unsent += v.batches.slice(b).reduce((n, batch) => n + batch.length, 0);
          return;
        }
        let wait: number;
        try {
          result.requests++;
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: target.origin, 'user-agent': v.userAgent, 'cf-connecting-ip': v.clientIp },
            body: JSON.stringify({ events, sentAt: Date.now() }),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          if (response.ok) {
            count(String(response.status));
            const body = (await response.json()) as { rejected?: unknown[] };
            if (body.rejected !== undefined && body.rejected.length > 0) {
              throw new Error(`the edge refused events of ${v.anonymousId} batch ${b}: ${JSON.stringify(body.rejected)}`);
            }
            const at = Date.now();
            for (const event of events) if (!result.accepted.has(event.eventId)) result.accepted.set(event.eventId, at);
            break;
          }
          const text = await response.text();
          count(`${response.status} ${errorCode(text)}`);
          if (REFUSED_FOR_GOOD.includes(response.status) || response.status === 401 || response.status === 403 || response.status === 404) {
            throw new Error(`the edge answered ${response.status} to ${v.anonymousId} batch ${b}: ${text.slice(0, 300)}`);
          }
          wait = retryAfterMs(response.headers.get('retry-after')) ?? 0;
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('the edge ')) throw error;
          count('network');
          wait = 0;
        }
        failures++;
        const backoff = Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_CAP_MS) * (1 - jitter() / 2);
        await sleep(Math.max(wait, backoff));
      }
    }
  };

  const done = Promise.all(workload.visitors.map(runVisitor)).then(() => {
    result.endedAt = Date.now();
    return result;
  });
  return { startedAt, done, sentShare: () => sent / batches };
}
