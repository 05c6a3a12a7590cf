/**
 * What one page load cost the main thread, from the browser's own entries:
 * total blocking time (the part of each long task over 50 ms, Lighthouse's
 * definition) and the largest contentful paint; and what a script adds to a
 * page, as the difference of medians over many loads. Pure: the browser part
 * only collects the entries.
 */
import { percentile } from '../../stats.js';

/** A `longtask` entry as the page recorded it (ms since navigation start). */
export interface LongTask {
  start: number;
  duration: number;
}

/** A task blocks input for whatever it runs past this (the RAIL / Lighthouse threshold). */
export const BLOCKING_THRESHOLD_MS = 50;

/**
 * The blocking time of the long tasks in the window [from, until]: each task
 * is clipped to the window first (a task that began before first paint counts
 * only from it, as Lighthouse clips at first contentful paint), then what it
 * runs past 50 ms counts.
 */
export function totalBlockingTime(tasks: readonly LongTask[], from: number, until: number): number {
  if (!(until >= from)) throw new RangeError(`until (${until}) must not be before from (${from})`);
  let blocking = 0;
  for (const task of tasks) {
    const start = Math.max(task.start, from);
    const end = Math.min(task.start + task.duration, until);
    blocking += Math.max(0, end - start - BLOCKING_THRESHOLD_MS);
  }
  return blocking;
}

/** A `largest-contentful-paint` entry: its time (renderTime, or loadTime for a cross-origin image without Timing-Allow-Origin). */
export interface LcpEntry {
  startTime: number;
}

/**
 * The page's LCP: the browser reports a new entry each time a larger element
 * paints, so the last one reported before any input is the page's. Undefined
 * when the browser reported none (a page that painted no text or image).
 */
export function largestContentfulPaint(entries: readonly LcpEntry[]): number | undefined {
  return entries.length === 0 ? undefined : entries[entries.length - 1]!.startTime;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

/** Median with the script minus median without: what the script adds to a typical load. NaN when either side has no samples. */
export function medianDelta(withScript: readonly number[], without: readonly number[]): number {
  return median(withScript) - median(without);
}
