/**
 * `requests_per_s`: the collect requests the isolate's visitor objects took,
 * per second, over the last 5 complete seconds (the second still counting is
 * left out, so a rate is never read off a second that has just begun).
 */
import { SecondSlots } from './second-slots.js';

export const RATE_WINDOW_S = 5;

export class RequestRate {
  // One slot more than the window: the second still counting.
  private readonly counts = new Float64Array(RATE_WINDOW_S + 1);
  private readonly slots = new SecondSlots(RATE_WINDOW_S + 1, (slot) => (this.counts[slot] = 0));

  count(nowMs: number): void {
    const slot = this.slots.at(nowMs);
    this.counts[slot] = this.counts[slot]! + 1;
  }

  value(nowMs: number): number {
    let total = 0;
    for (let slot = 0; slot <= RATE_WINDOW_S; slot++) {
      if (this.slots.inWindow(slot, nowMs, RATE_WINDOW_S, true)) total += this.counts[slot]!;
    }
    return total / RATE_WINDOW_S;
  }
}
