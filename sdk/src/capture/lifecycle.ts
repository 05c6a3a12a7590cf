/**
 * The last moments a page can send. The tab going to the background
 * (`visibilitychange` → hidden), which on mobile may be the last event ever
 * fired, while the page still runs; and `pagehide`, when it is being left, too
 * late for anything asynchronous (a beacon still goes).
 */
export function onPageHidden(win: Window, signal: AbortSignal, hidden: () => void, leaving: () => void): void {
  const doc = win.document;
  win.addEventListener('pagehide', leaving, { signal });
  doc.addEventListener('visibilitychange', () => doc.visibilityState === 'hidden' && hidden(), { signal });
}
