/** Numbers, shares and times as the pages print them. */
export const int = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en'));
export const dec = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));
export const pct = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : `${(n * 100).toFixed(digits)}%`);
export const signedPct = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '–' : `${n >= 0 ? '+' : '−'}${Math.abs(n * 100).toFixed(digits)} pp`;
export const ms = (seconds: number | null | undefined): string => (seconds === null || seconds === undefined ? '–' : `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms`);

export function ago(epochMs: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - epochMs) / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  return `${Math.round(m / 60)} h ago`;
}

export const clock = (epochMs: number): string => new Date(epochMs).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A count of cart units, in words: `1 unit`, `3 units`. */
export const units = (n: number): string => `${int(n)} ${n === 1 ? 'unit' : 'units'}`;
