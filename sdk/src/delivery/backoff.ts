/**
 * The pause before the next try after `failures` failed sends in a row:
 * exponential from `baseMs`, capped at `maxMs`, with jitter (between half and
 * all of it) so that many pages recovering from the same outage do not come
 * back in step. `random` returns [0, 1).
 */
export function backoffMs(failures: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.min(baseMs * 2 ** (failures - 1), maxMs) * (1 - random() / 2);
}

/**
 * A `Retry-After` header in ms from `now`: delay-seconds ("120") or an HTTP
 * date ("Wed, 21 Oct 2015 07:28:00 GMT"), a date in the past being 0;
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const text = value?.trim() ?? '';
  // An HTTP date names its month; without one, Date.parse would read "1.5" or "-5" as dates.
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : /[a-z]/i.test(text) ? Date.parse(text) - now : NaN;
  return Number.isNaN(ms) ? undefined : Math.max(ms, 0);
}
