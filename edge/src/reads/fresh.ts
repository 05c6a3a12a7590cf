/**
 * A value read from the collector, with its age. Two limits: past
 * `refreshAfterMs` a new read starts (in the background), past `maxAgeMs` the
 * value is no longer used at all, so a collector that stays away turns into
 * decisions on the session alone instead of decisions on old data. After a
 * failed read the next one waits `refreshAfterMs` too, so a down collector
 * costs one failing request per interval, not one per batch.
 */
export interface Freshness {
  refreshAfterMs: number;
  maxAgeMs: number;
}

export class FreshValue<T> {
  private value: T | undefined;
  private fetchedAt = -Infinity;
  private triedAt = -Infinity;
  private inFlight = false;

  constructor(private readonly freshness: Freshness) {}

  /** The value if it is young enough to decide on. */
  get(nowMs: number): T | undefined {
    return nowMs - this.fetchedAt <= this.freshness.maxAgeMs ? this.value : undefined;
  }

  /** Whether a read should start now (none in flight, the value and the last try both old enough). */
  due(nowMs: number): boolean {
    return !this.inFlight && nowMs - this.fetchedAt >= this.freshness.refreshAfterMs && nowMs - this.triedAt >= this.freshness.refreshAfterMs;
  }

  /** Runs `read` unless one is in flight or not due; keeps what it gives, and the old value when it gives nothing. */
  async refresh(nowMs: () => number, read: () => Promise<{ ok: true; value: T } | { ok: false }>): Promise<void> {
    if (!this.due(nowMs())) return;
    this.inFlight = true;
    this.triedAt = nowMs();
    try {
      const outcome = await read();
      if (outcome.ok) this.set(outcome.value, nowMs());
    } finally {
      this.inFlight = false;
    }
  }

  /** The value whatever its age (to tell what it is, not to decide on it). */
  peek(): T | undefined {
    return this.value;
  }

  set(value: T, atMs: number): void {
    this.value = value;
    this.fetchedAt = atMs;
  }

  /** Forgets the value (the answer changed meaning, e.g. a recs context no longer current). */
  clear(): void {
    this.value = undefined;
    this.fetchedAt = -Infinity;
    this.triedAt = -Infinity;
  }
}
