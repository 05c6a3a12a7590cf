/**
 * `outbox_depth`: the largest visitor-object outbox depth seen in the last
 * 5 s, across the objects of the isolate. Recorded each time an outbox
 * changes (a batch added, one relayed, a relay failed), so a backlog shows as
 * soon as it builds and the signal falls back once the outboxes have drained.
 */
import { SecondSlots } from './second-slots.js';

export const OUTBOX_WINDOW_S = 5;

export class OutboxDepthWindow {
  private readonly largest = new Float64Array(OUTBOX_WINDOW_S);
  private readonly slots = new SecondSlots(OUTBOX_WINDOW_S, (slot) => (this.largest[slot] = 0));

  record(depth: number, nowMs: number): void {
    const slot = this.slots.at(nowMs);
    if (depth > this.largest[slot]!) this.largest[slot] = depth;
  }

  /** The largest depth seen in the last 5 s; 0 when none was. */
  value(nowMs: number): number {
    let out = 0;
    for (let slot = 0; slot < OUTBOX_WINDOW_S; slot++) {
      if (this.slots.inWindow(slot, nowMs, OUTBOX_WINDOW_S) && this.largest[slot]! > out) out = this.largest[slot]!;
    }
    return out;
  }
}
