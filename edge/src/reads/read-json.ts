/**
 * One GET against the collector's read API: bearer secret, a short timeout,
 * and the answer checked against core's schema. Never throws: a read that
 * fails only means the edge decides on the session alone for a while.
 */
import type { ReadResult } from '@sessionflow/core';

export interface ReadTarget {
  /** The collector's base URL, without a trailing slash. */
  collectorUrl: string;
  secret: string;
  timeoutMs: number;
  fetch: typeof fetch;
  /** Told of each read: how long it took (ms, the edge's clock) and whether it answered (a 404 answers too). */
  observe?: (ms: number, ok: boolean) => void;
}

export type ReadOutcome<T> = { ok: true; value: T } | { ok: false; notFound?: boolean; reason: string };

export async function readJson<T>(target: ReadTarget, pathAndQuery: string, parse: (input: unknown) => ReadResult<T>): Promise<ReadOutcome<T>> {
  const startedAt = Date.now();
  const outcome = await attempt(target, pathAndQuery, parse);
  target.observe?.(Date.now() - startedAt, outcome.ok || outcome.notFound === true);
  return outcome;
}

async function attempt<T>(target: ReadTarget, pathAndQuery: string, parse: (input: unknown) => ReadResult<T>): Promise<ReadOutcome<T>> {
  try {
    const response = await target.fetch(`${target.collectorUrl}${pathAndQuery}`, {
      headers: { authorization: `Bearer ${target.secret}`, accept: 'application/json' },
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, notFound: response.status === 404, reason: `HTTP ${response.status}` };
    }
    const parsed = parse(await response.json());
    return parsed.ok ? parsed : { ok: false, reason: `malformed answer: ${parsed.errors.slice(0, 3).join('; ')}` };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // The path names a user or a device: it stays out of the reason, which is logged.
    return { ok: false, reason: reason.replaceAll(`${target.collectorUrl}${pathAndQuery}`, '<read URL>').replaceAll(pathAndQuery, '<read path>') };
  }
}
