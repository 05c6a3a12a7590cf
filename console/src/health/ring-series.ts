/** A bounded time series for a chart: the newest `limit` points, the oldest dropped first. */
import type { Series } from '../shared/feeds.js';

export class RingSeries {
  private readonly t: number[] = [];
  private readonly lines = new Map<string, (number | null)[]>();

  constructor(private readonly limit: number) {}

  /** Appends one point at `atMs`; a line missing from `values` gets a gap, a new line is null before. */
  push(atMs: number, values: Record<string, number | null>): void {
    const before = this.t.length;
    this.t.push(atMs / 1000);
    for (const name of Object.keys(values)) if (!this.lines.has(name)) this.lines.set(name, new Array<number | null>(before).fill(null));
    for (const [name, line] of this.lines) line.push(values[name] ?? null);
    if (this.t.length > this.limit) {
      this.t.shift();
      for (const line of this.lines.values()) line.shift();
    }
  }

  toJSON(): Series {
    return { t: [...this.t], lines: Object.fromEntries([...this.lines].map(([name, line]) => [name, [...line]])) };
  }
}
