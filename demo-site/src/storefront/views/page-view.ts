/** A page of the shop as the server renders it and the single-page app swaps in: the same markup either way. */
import type { TrackCall } from '../tracking.js';

export interface PageView {
  /** 200, or 404 for a product, category or order that does not exist. */
  status: 200 | 404;
  /** The document title, without the shop's name. */
  title: string;
  /** The content of `<main>`. */
  main: string;
  /** What this page tells Sessionflow once it is shown (a product view, a search). */
  track: TrackCall[];
}
