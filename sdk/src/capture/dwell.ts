/**
 * Dwell as active time: time counts while the page is visible and the visitor
 * did something (pointer, key, scroll) within the last 30 seconds. Hidden time
 * never counts. The accounting is plain (`dwellMeter`, no DOM); `captureDwell`
 * feeds it from the page and reports the active time gathered since the last
 * report: as a heartbeat once 15 s have gathered, when the page is hidden, and
 * when a page view ends.
 */
export const IDLE_AFTER_MS = 30_000;
export const HEARTBEAT_MS = 15_000;

export interface DwellMeter {
  input(now: number): void;
  /** Becoming visible counts as an input: the visitor turned to the page. */
  visibility(now: number, visible: boolean): void;
  /** The whole ms of active time gathered up to `now` and not taken yet, if at least `atLeast` (else 0, and it stays). */
  take(now: number, atLeast?: number): number;
}

/** Starts at `now`; arriving on a page is an interaction: the visitor just chose it. */
export function dwellMeter(now: number, visible: boolean): DwellMeter {
  let at = now;
  let lastInput = now;
  let active = 0;
  // A clock that steps backwards never counts time twice.
  const advance = (t: number) => {
    if (visible) active += Math.max(0, Math.min(t, lastInput + IDLE_AFTER_MS) - at);
    at = Math.max(t, at);
  };
  return {
    input(t) {
      advance(t);
      lastInput = t;
    },
    visibility(t, shown) {
      advance(t);
      visible = shown;
      if (shown) lastInput = t;
    },
    take(t, atLeast = 1) {
      advance(t);
      const whole = Math.floor(active);
      if (whole < atLeast) return 0;
      active -= whole;
      return whole;
    },
  };
}

/** Listens until `signal` aborts; returns the function that reports the active time gathered so far, if any (a page view ends). */
export function captureDwell(win: Window, signal: AbortSignal, now: () => number, onDwell: (activeMs: number) => void): () => void {
  const doc = win.document;
  const visible = () => doc.visibilityState === 'visible';
  const meter = dwellMeter(now(), visible());
  const report = (atLeast?: number) => {
    const activeMs = meter.take(now(), atLeast);
    if (activeMs) onDwell(activeMs);
  };
  const onInput = () => meter.input(now());
  // The heartbeat checks often enough that a report follows soon after 15 s of active time have gathered.
  const heartbeat = setInterval(() => report(HEARTBEAT_MS), HEARTBEAT_MS / 3);
  signal.addEventListener('abort', () => clearInterval(heartbeat));
  // Capture phase, so scrolls inside any element count and pages that stop events cannot hide them.
  for (const type of ['pointerdown', 'pointermove', 'keydown', 'scroll']) doc.addEventListener(type, onInput, { capture: true, passive: true, signal });
  doc.addEventListener(
    'visibilitychange',
    () => {
      meter.visibility(now(), visible());
      if (!visible()) report();
    },
    { signal },
  );
  win.addEventListener('pagehide', () => report(), { signal });
  return () => report();
}
