/**
 * Scroll depth milestones: how far down the page the visitor has seen, as the
 * bottom of the viewport over the document's height. Each milestone is sent
 * once per page view; a page that fits in the viewport has been seen whole, so
 * it reaches 100 on load. On a single-page-app route change the next check
 * waits for the visitor's (or the router's) next scroll: when the URL changes
 * the new route may not be rendered yet, and measuring then would credit the
 * new page with the old one's depth.
 */
export const SCROLL_MILESTONES = [25, 50, 75, 90, 100];

export interface ScrollMeasure {
  /** Pixels scrolled from the top (window.scrollY). */
  top: number;
  /** Height of the viewport (window.innerHeight). */
  viewport: number;
  /** Height of the whole document. */
  height: number;
}

/** The percentage of the document seen, 0 to 100. */
export function scrollDepth({ top, viewport, height }: ScrollMeasure): number {
  return height <= viewport ? 100 : Math.min(100, Math.max(0, ((top + viewport) / height) * 100));
}

/** The milestones reached at `depth` that were not reported yet, lowest first. */
export function milestonesReached(depth: number, reported: ReadonlySet<number>): number[] {
  return SCROLL_MILESTONES.filter((m) => depth >= m && !reported.has(m));
}

export interface ScrollOptions {
  measure?: () => ScrollMeasure;
  /** Runs the check once per frame at most (default requestAnimationFrame). */
  nextFrame?: (run: () => void) => void;
}

/** Listens until `signal` aborts; returns the reset for a new page view (forget the milestones sent, measure again on the next scroll). */
export function captureScroll(win: Window, signal: AbortSignal, onMilestone: (depth: number) => void, options: ScrollOptions = {}): () => void {
  const doc = win.document;
  const {
    measure = () => ({ top: win.scrollY, viewport: win.innerHeight, height: Math.max(doc.documentElement.scrollHeight, doc.body?.scrollHeight ?? 0) }),
    nextFrame = requestAnimationFrame,
  } = options;
  let reported = new Set<number>();
  let pending = false;
  const onScroll = () => {
    if (pending) return;
    pending = true;
    nextFrame(() => {
      pending = false;
      if (signal.aborted) return;
      for (const milestone of milestonesReached(scrollDepth(measure()), reported)) {
        reported.add(milestone);
        onMilestone(milestone);
      }
    });
  };
  win.addEventListener('scroll', onScroll, { passive: true, signal });
  // Measure the landing page once it is laid out: before `load`, images may still be missing from its height.
  if (doc.readyState === 'complete') onScroll();
  else win.addEventListener('load', onScroll, { once: true, signal });
  return () => void (reported = new Set());
}
