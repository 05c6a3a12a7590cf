/**
 * Dwell as active time: time counts while the page is visible and the visitor
 * did something (pointer, key, scroll) within the last 30 seconds. Hidden time
 * never counts. The accounting is pure (`DwellClock`); `captureDwell` feeds it
 * from the page and reports the active time gathered since the last report: as
 * a heartbeat once 15 s have gathered, when the page is hidden, and when a page
 * view ends.
 */
export const IDLE_AFTER_MS = 30_000;
export const HEARTBEAT_MS = 15_000;

export interface DwellClock {
  /** Up to here, time is accounted for. */
  at: number;
  lastInput: number;
  visible: boolean;
  /** Active time gathered and not reported yet. */
  activeMs: number;
}

export function startDwell(now: number, visible: boolean): DwellClock {
  // Arriving on a page is an interaction: the visitor just chose it.
  return { at: now, lastInput: now, visible, activeMs: 0 };
}

/** Accounts for the time up to `now`: active only while visible, and until 30 s after the last input. */
export function advance(clock: DwellClock, now: number): DwellClock {
  const activeUntil = Math.min(now, clock.lastInput + IDLE_AFTER_MS);
  const gained = clock.visible ? Math.max(0, activeUntil - clock.at) : 0;
  return { ...clock, at: Math.max(now, clock.at), activeMs: clock.activeMs + gained };
}

export function noteInput(clock: DwellClock, now: number): DwellClock {
  return { ...advance(clock, now), lastInput: now };
}

/** Becoming visible counts as an input: the visitor turned to the page. */
export function noteVisibility(clock: DwellClock, now: number, visible: boolean): DwellClock {
  const next = { ...advance(clock, now), visible };
  return visible ? { ...next, lastInput: now } : next;
}

/** The active time to report now (whole ms), and the clock with it taken out. */
export function takeActive(clock: DwellClock, now: number): [number, DwellClock] {
  const next = advance(clock, now);
  const activeMs = Math.floor(next.activeMs);
  return [activeMs, { ...next, activeMs: next.activeMs - activeMs }];
}

const INPUTS = ['pointerdown', 'pointermove', 'keydown', 'scroll'] as const;

/** Listens until `signal` aborts; returns the function that reports the active time gathered so far, if any (a page view ends). */
export function captureDwell(win: Window, signal: AbortSignal, now: () => number, onDwell: (activeMs: number) => void): () => void {
  const doc = win.document;
  let clock = startDwell(now(), doc.visibilityState === 'visible');
  const report = (atLeast = 1) => {
    const [activeMs, next] = takeActive(clock, now());
    if (activeMs < atLeast) return;
    clock = next;
    onDwell(activeMs);
  };
  const onInput = () => void (clock = noteInput(clock, now()));
  const onVisibility = () => {
    const visible = doc.visibilityState === 'visible';
    clock = noteVisibility(clock, now(), visible);
    if (!visible) report();
  };
  const reportAll = () => report();
  // The heartbeat checks often enough that a report follows soon after 15 s of active time have gathered.
  const heartbeat = win.setInterval(() => report(HEARTBEAT_MS), HEARTBEAT_MS / 3);
  signal.addEventListener('abort', () => win.clearInterval(heartbeat));
  // Capture phase, so scrolls inside any element count and pages that stop events cannot hide them.
  for (const type of INPUTS) doc.addEventListener(type, onInput, { capture: true, passive: true, signal });
  doc.addEventListener('visibilitychange', onVisibility, { signal });
  win.addEventListener('pagehide', reportAll, { signal });
  return reportAll;
}
