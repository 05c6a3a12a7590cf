import type { anonymousId, consent, flush, identify, init, on, optOut, page, reset, sessionId, track, userId } from './api.js';

/** The API as the script-tag build exposes it on `window.sessionflow`. */
export interface SessionflowApi {
  init: typeof init;
  track: typeof track;
  page: typeof page;
  identify: typeof identify;
  reset: typeof reset;
  consent: typeof consent;
  optOut: typeof optOut;
  on: typeof on;
  flush: typeof flush;
  anonymousId: typeof anonymousId;
  sessionId: typeof sessionId;
  userId: typeof userId;
}
