/** Minute buckets of event time: `2026-12-02T09:41`, the part of an ISO timestamp up to the minute (UTC). */
export const MINUTE_MS = 60_000;

export function minuteOf(atMs: number): string {
  return new Date(Math.floor(atMs / MINUTE_MS) * MINUTE_MS).toISOString().slice(0, 16);
}

/** The `count` minutes ending with the one holding `nowMs`, oldest first. */
export function lastMinutes(nowMs: number, count: number): string[] {
  const last = Math.floor(nowMs / MINUTE_MS);
  return Array.from({ length: count }, (_, i) => minuteOf((last - count + 1 + i) * MINUTE_MS));
}
