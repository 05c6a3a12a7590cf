/**
 * The last moment a page can send: `pagehide`, or the tab going to the
 * background (`visibilitychange` → hidden), which on mobile may be the last event ever fired.
 */
export function onPageHidden(win: Window, doc: Document, callback: () => void): () => void {
  const onVisibility = () => {
    if (doc.visibilityState === 'hidden') callback();
  };
  win.addEventListener('pagehide', callback);
  doc.addEventListener('visibilitychange', onVisibility);
  return () => {
    win.removeEventListener('pagehide', callback);
    doc.removeEventListener('visibilitychange', onVisibility);
  };
}
