/**
 * The collect requests this isolate is working on, and the gate that turns
 * more away. Under a spike the visitor objects' work (state, outbox, relay)
 * queues behind itself; every request let in then waits longer, until answers
 * come after the SDK gave up (10 s) and each one is re-sent: the edge works on
 * requests nobody waits for, and the queue never empties (the flash-sale
 * benchmark's edge collapsed so). A request beyond the limit is answered at
 * once with 503 and `Retry-After`, before any visitor object is touched: the
 * SDK keeps its events and comes back, nothing is taken that is not kept.
 */
export class InFlightGate {
  private current = 0;

  /** Lets a request in when fewer than `limit` are in; false (and nothing counted) when the gate is full. */
  enter(limit: number): boolean {
    if (this.current >= limit) return false;
    this.current += 1;
    return true;
  }

  leave(): void {
    if (this.current > 0) this.current -= 1;
  }

  inFlight(): number {
    return this.current;
  }
}

/** The isolate's collect requests (locally, wrangler dev's one isolate: the whole edge). */
export const collectsInFlight = new InFlightGate();

/** What a turned-away browser is asked to wait: long enough for the queue to move, short for a shopper. */
export const BUSY_RETRY_AFTER_S = 2;
