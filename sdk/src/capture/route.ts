/**
 * Route changes of single-page apps: history.pushState/replaceState (patched),
 * back/forward (`popstate`) and `hashchange`. `onChange` runs only when the URL
 * really changed, so a replaceState to the same URL (routers do it to store
 * scroll state) and the popstate+hashchange pair one hash change fires are not
 * counted twice. Aborting `signal` restores history and stops listening.
 */
type HistoryMethod = 'pushState' | 'replaceState';

export function watchRoute(win: Window, signal: AbortSignal, onChange: () => void): void {
  const { history, location } = win;
  let last = location.href;
  const check = () => {
    if (signal.aborted || location.href === last) return;
    last = location.href;
    onChange();
  };
  for (const name of ['pushState', 'replaceState'] as HistoryMethod[]) {
    const original = history[name];
    const patched = function (this: History, ...args: Parameters<History[HistoryMethod]>) {
      original.apply(this, args);
      check();
    };
    history[name] = patched;
    // Restore only if nobody patched over us; otherwise the aborted signal turns ours into a pass-through.
    signal.addEventListener('abort', () => history[name] === patched && (history[name] = original));
  }
  win.addEventListener('popstate', check, { signal });
  win.addEventListener('hashchange', check, { signal });
}
