/**
 * A ring of one-second slots: what the edge's signals count in, so a window
 * of the last few seconds costs a few array cells, never a list of samples.
 * A slot still holding an older second is cleared when its second comes round.
 */
export class SecondSlots {
  private readonly seconds: Float64Array;

  constructor(
    readonly size: number,
    /** Clears what the caller keeps for `slot` (its second is over and out of every window). */
    private readonly clear: (slot: number) => void,
  ) {
    this.seconds = new Float64Array(size).fill(-Infinity);
  }

  /** The slot of the second `nowMs` falls in, cleared first when it held an older one. */
  at(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    const slot = ((second % this.size) + this.size) % this.size;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.clear(slot);
    }
    return slot;
  }

  /**
   * Whether `slot` holds one of the `span` seconds that end with the one
   * `nowMs` falls in (`complete`: with the one before it, so a second still
   * counting is left out).
   */
  inWindow(slot: number, nowMs: number, span: number, complete = false): boolean {
    const newest = Math.floor(nowMs / 1000) - (complete ? 1 : 0);
    const second = this.seconds[slot]!;
    return second <= newest && second > newest - span;
  }
}
