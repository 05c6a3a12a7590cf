/**
 * Exit intent on desktop: the pointer leaves the document through its top
 * edge, on its way to the tabs, the address bar or the close button. A move
 * out through a side or the bottom is usually a visitor reaching for another
 * window or the taskbar, and is not counted. Reported once per page view:
 * the signal is "this visitor moved to leave", not how often the mouse
 * wandered. A touch screen has no pointer that can leave the window, so
 * phones and tablets report nothing in practice.
 */

/** Listens until `signal` aborts; returns the reset for a new page view (exit intent may be reported again). */
export function captureExitIntent(doc: Document, signal: AbortSignal, onExitIntent: () => void): () => void {
  let reported = false;
  doc.addEventListener(
    'mouseout',
    (event) => {
      // A relatedTarget means the pointer only moved onto another element of the page.
      if (reported || event.relatedTarget || event.clientY > 0) return;
      reported = true;
      onExitIntent();
    },
    { signal },
  );
  return () => void (reported = false);
}
