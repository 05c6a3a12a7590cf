/**
 * `read_p99_ms` and `read_failure_share`: the reads the visitor objects make
 * of the collector's read API in the background (reads/), over the last 10 s.
 * Latencies go into a fixed histogram per second (no list of samples, no sort
 * per request); the 99th percentile is interpolated inside its bucket, as
 * Prometheus's `histogram_quantile` does. With fewer than `MIN_READS` reads in
 * the window both signals are absent: a handful of reads says nothing, and an
 * absent signal neither moves the level nor holds it.
 */
import { SecondSlots } from './second-slots.js';

export const READ_WINDOW_S = 10;
export const MIN_READS = 20;
/** Upper bounds of the latency buckets, ms; one more bucket holds what is above the last. */
export const READ_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

const BUCKETS = READ_BUCKETS_MS.length + 1;

export class ReadStats {
  private readonly histogram = new Float64Array(READ_WINDOW_S * BUCKETS);
  private readonly failures = new Float64Array(READ_WINDOW_S);
  private readonly slowest = new Float64Array(READ_WINDOW_S);
  private readonly slots = new SecondSlots(READ_WINDOW_S, (slot) => {
    this.histogram.fill(0, slot * BUCKETS, (slot + 1) * BUCKETS);
    this.failures[slot] = 0;
    this.slowest[slot] = 0;
  });
  /** The window's histogram, summed into one reused array. */
  private readonly summed = new Float64Array(BUCKETS);
  /** What the last computation was of: the reads recorded so far, and the second. */
  private readonly computed: { recorded: number; second: number; p99: number | undefined; failureShare: number | undefined } = {
    recorded: -1,
    second: -1,
    p99: undefined,
    failureShare: undefined,
  };
  private recorded = 0;

  /** One read that took `ms` and answered (`ok`; a 404 is an answer) or failed (an error status, a timeout, a malformed answer). */
  record(ms: number, ok: boolean, nowMs: number): void {
    const slot = this.slots.at(nowMs);
    const at = slot * BUCKETS + bucketOf(ms);
    this.histogram[at] = this.histogram[at]! + 1;
    if (!ok) this.failures[slot] = this.failures[slot]! + 1;
    if (ms > this.slowest[slot]!) this.slowest[slot] = ms;
    this.recorded += 1;
  }

  p99(nowMs: number): number | undefined {
    return this.compute(nowMs).p99;
  }

  failureShare(nowMs: number): number | undefined {
    return this.compute(nowMs).failureShare;
  }

  /** Sums the window again only when a read came in or a second went by since the last time. */
  private compute(nowMs: number): ReadStats['computed'] {
    const second = Math.floor(nowMs / 1000);
    if (this.computed.recorded === this.recorded && this.computed.second === second) return this.computed;
    const summed = this.summed.fill(0);
    let reads = 0;
    let failed = 0;
    let slowest = 0;
    for (let slot = 0; slot < READ_WINDOW_S; slot++) {
      if (!this.slots.inWindow(slot, nowMs, READ_WINDOW_S)) continue;
      for (let b = 0; b < BUCKETS; b++) {
        const n = this.histogram[slot * BUCKETS + b]!;
        summed[b] = summed[b]! + n;
        reads += n;
      }
      failed += this.failures[slot]!;
      if (this.slowest[slot]! > slowest) slowest = this.slowest[slot]!;
    }
    const enough = reads >= MIN_READS;
    const computed = this.computed;
    computed.recorded = this.recorded;
    computed.second = second;
    computed.p99 = enough ? quantile(summed, reads, 0.99, slowest) : undefined;
    computed.failureShare = enough ? failed / reads : undefined;
    return computed;
  }
}

function bucketOf(ms: number): number {
  for (let b = 0; b < READ_BUCKETS_MS.length; b++) if (ms <= READ_BUCKETS_MS[b]!) return b;
  return READ_BUCKETS_MS.length;
}

/** The `q` quantile of a histogram of `total` reads, linear inside its bucket; the last bucket ends at the slowest read seen. */
function quantile(counts: Float64Array, total: number, q: number, slowest: number): number {
  const rank = q * total;
  let below = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const n = counts[b]!;
    if (n > 0 && below + n >= rank) {
      const lower = b === 0 ? 0 : READ_BUCKETS_MS[b - 1]!;
      const upper = b < READ_BUCKETS_MS.length ? Math.min(READ_BUCKETS_MS[b]!, Math.max(slowest, lower)) : Math.max(slowest, lower);
      return lower + (upper - lower) * ((rank - below) / n);
    }
    below += n;
  }
  return slowest;
}
