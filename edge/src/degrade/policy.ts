/**
 * The edge's degradation policy: which of its signals move it to which level
 * (core's `DegradePolicy`), the defaults, and the Worker var
 * `SF_EDGE_DEGRADE_POLICY` that replaces them (JSON, checked by core's
 * `parseDegradePolicy`, plus: every trigger names a signal the edge measures).
 */
import { parseDegradePolicy, type DegradePolicy } from '@sessionflow/core';

/** What the edge measures (see degradation.ts); a policy may name these only. */
export const EDGE_SIGNALS = ['outbox_depth', 'read_p99_ms', 'read_failure_share', 'requests_per_s'] as const;
export type EdgeSignal = (typeof EDGE_SIGNALS)[number];

/**
 * Quiet at `npm start` (outboxes of 0 or 1, reads of a few ms that answer,
 * a few requests a second), firing under a real backlog:
 * - an outbox of 10 batches waiting (the collector has not taken a visitor's
 *   last 10): the pipeline no longer sees the session, so its session-aware
 *   recommendations are stale → popularity; of 20 → data only (decisions held
 *   back, every event still taken and kept);
 * - half the reads failing, or their p99 at 500 ms (half READ_TIMEOUT_MS'
 *   default): the read API is struggling → no profile reads (live only);
 * - 200 collect requests per second reaching the isolate's objects: per-visitor
 *   recommendation reads would add load where there is already much →
 *   popularity (one list per isolate).
 * Each holds its level until its signal is below `exit`; the level then comes
 * back one step per 10 s of calm.
 */
export const DEFAULT_EDGE_DEGRADE_POLICY: DegradePolicy = {
  triggers: [
    { signal: 'outbox_depth', level: 'popularity', enter: 10, exit: 3 },
    { signal: 'outbox_depth', level: 'data_only', enter: 20, exit: 5 },
    { signal: 'read_failure_share', level: 'live_only', enter: 0.5, exit: 0.1 },
    { signal: 'read_p99_ms', level: 'live_only', enter: 500, exit: 200 },
    { signal: 'requests_per_s', level: 'popularity', enter: 200, exit: 100 },
  ],
  recoverAfterMs: 10_000,
};

export type PolicyOutcome = { ok: true; value: DegradePolicy } | { ok: false; field: string; reason: string };

/** The policy of `SF_EDGE_DEGRADE_POLICY` (JSON text, or an object from a JSON var), the default when unset; errors name the path inside it. */
export function parseEdgeDegradePolicy(raw: string | Record<string, unknown> | undefined): PolicyOutcome {
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return { ok: true, value: DEFAULT_EDGE_DEGRADE_POLICY };
  let input: unknown = raw;
  if (typeof raw === 'string') {
    try {
      input = JSON.parse(raw);
    } catch (err) {
      return { ok: false, field: '', reason: `is not valid JSON (${(err as Error).message})` };
    }
  }
  const parsed = parseDegradePolicy(input);
  if (!parsed.ok) {
    const first = parsed.errors[0]!;
    return { ok: false, field: first.field === '(policy)' ? '' : first.field, reason: first.reason };
  }
  const unknown = parsed.value.triggers.findIndex((trigger) => !(EDGE_SIGNALS as readonly string[]).includes(trigger.signal));
  if (unknown >= 0) {
    return { ok: false, field: `triggers.${unknown}.signal`, reason: `the edge measures no signal ${JSON.stringify(parsed.value.triggers[unknown]!.signal)}; it measures ${EDGE_SIGNALS.join(', ')}` };
  }
  return parsed;
}
