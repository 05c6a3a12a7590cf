/**
 * The level the central parts are at: the collector's `GET /v1/degradation`
 * (read scope), answering `{ level, parts: { collector: {level, reason?},
 * pipeline: {level, ...} | null } }`, `level` the worst of the parts. Asked in
 * the background, at most once per 2 s per isolate and never on a request's
 * path; an answer older than 30 s is no longer used (the edge then decides at
 * its own level), so a collector that stops answering cannot hold the edge
 * down.
 */
import { isLevel, type Level, type ReadResult } from '@sessionflow/core';
import { readJson, type ReadTarget } from '../reads/read-json.js';

export const DEGRADATION_PATH = '/v1/degradation';
export const UPSTREAM_POLL_MS = 2_000;
export const UPSTREAM_STALE_MS = 30_000;
/** A poll not settled by then is taken as lost (its request context ended), so polling goes on. */
const POLL_ABANDONED_MS = 10_000;

/** What the edge takes from an answer: the worst level, and which part set it (`upstream:<part>`). */
export interface UpstreamLevelAnswer {
  level: Level;
  reason: string;
}

/** The parts in the order their name is given as the reason when several are at the worst level. */
const PARTS = ['collector', 'pipeline'] as const;

export function parseDegradationAnswer(input: unknown): ReadResult<UpstreamLevelAnswer> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, errors: ['must be an object with level and parts'] };
  const { level, parts } = input as Record<string, unknown>;
  if (!isLevel(level)) return { ok: false, errors: [`level must be a degradation level (got ${JSON.stringify(level)?.slice(0, 40)})`] };
  const byPart = typeof parts === 'object' && parts !== null ? (parts as Record<string, unknown>) : {};
  const setBy = PARTS.find((part) => {
    const report = byPart[part];
    return typeof report === 'object' && report !== null && (report as Record<string, unknown>)['level'] === level;
  });
  return { ok: true, value: { level, reason: `upstream:${setBy ?? 'collector'}` } };
}

let lastFailure = '';

export class UpstreamLevel {
  private answer: UpstreamLevelAnswer | undefined;
  private answeredAt = -Infinity;
  private triedAt = -Infinity;
  private inFlight = false;

  /** The last answer, unless it is older than 30 s. */
  current(nowMs: number): UpstreamLevelAnswer | undefined {
    return this.answer !== undefined && nowMs - this.answeredAt <= UPSTREAM_STALE_MS ? this.answer : undefined;
  }

  /** When the answer in hand arrived (to tell its age), or undefined. */
  answeredAtMs(): number | undefined {
    return this.answer === undefined ? undefined : this.answeredAt;
  }

  /** Whether a poll is due: 2 s after the last one started, and none in flight (unless it was lost). */
  due(nowMs: number): boolean {
    return nowMs - this.triedAt >= UPSTREAM_POLL_MS && (!this.inFlight || nowMs - this.triedAt >= POLL_ABANDONED_MS);
  }

  /**
   * Asks the collector when a poll is due, else does nothing (undefined). The
   * caller hands the promise to `waitUntil`: it is never awaited before an
   * answer.
   */
  poll(target: ReadTarget, nowMs: () => number): Promise<void> | undefined {
    const startedAt = nowMs();
    if (!this.due(startedAt)) return undefined;
    this.inFlight = true;
    this.triedAt = startedAt;
    return (async () => {
      try {
        const outcome = await readJson(target, DEGRADATION_PATH, parseDegradationAnswer);
        if (outcome.ok) {
          this.answer = outcome.value;
          this.answeredAt = nowMs();
          lastFailure = '';
        } else if (lastFailure !== outcome.reason) {
          lastFailure = outcome.reason;
          // An older collector has no such route: the edge then goes by its own signals alone.
          console.error(`read of the collector's degradation level failed (${outcome.reason}); deciding on the edge's own level while it fails`);
        }
      } finally {
        this.inFlight = false;
      }
    })();
  }
}
