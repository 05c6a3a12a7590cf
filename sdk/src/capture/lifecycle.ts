/**
 * The last moment a page can send: `pagehide`, or the tab going to the
 * background (`visibilitychange` → hidden), which on mobile may be the last event ever fired.
 */
export function onPageHidden(win: Window, signal: AbortSignal, callback: () => void): void {
  const doc = win.document;
  win.addEventListener('pagehide', callback, { signal });
  doc.addEventListener('visibilitychange', () => doc.visibilityState === 'hidden' && callback(), { signal });
}
