/** How a batch travels to the edge. `send` throws on a network failure or a timeout; any HTTP answer is returned. */
export interface Transport {
  send(url: string, body: string): Promise<TransportResponse>;
  /** Hands the body to the browser to send after the page is gone (no answer); false when it would not take it. */
  beacon?: ((url: string, body: string) => boolean) | undefined;
}

export interface TransportResponse {
  status: number;
  /** The parsed JSON answer, or undefined when there was none. */
  body: unknown;
  /** The `Retry-After` header, if any. */
  retryAfter?: string | null;
}

/** Browsers cap the bodies of all keepalive requests and beacons in flight at 64 KiB together. */
export const KEEPALIVE_BYTES = 60_000;

/** Whether `body` fits a keepalive request; its UTF-8 bytes are counted only when it could be near the cap (a UTF-16 unit is at most 3 bytes), as counting costs. */
export const fitsKeepalive = (body: string): boolean => body.length * 3 < KEEPALIVE_BYTES || new Blob([body]).size < KEEPALIVE_BYTES;

/**
 * POST with fetch, and `navigator.sendBeacon` for the page's last moments. A
 * string body goes as `text/plain;charset=UTF-8`, which the edge accepts and
 * which needs no CORS preflight (a page being unloaded could not wait for one).
 *
 * A request not answered (body included) within `timeoutMs` is aborted and
 * fails like a network error: the sender lock is held while it runs, and one
 * hung request must not stop delivery in every tab. The edge may have taken
 * it all the same; the retry sends the same event ids, counted once downstream.
 *
 * `keepalive` (the request outlives the page) only while the page is hidden,
 * which may be the last moment it runs; the batcher keeps batches under its
 * cap, and a single event too big for it goes without rather than failing for
 * good. Not otherwise: Chromium does not cancel an aborted keepalive request,
 * so hung ones would pile up, holding the host's few connections and the
 * 64 KiB that keepalive requests and beacons share. A visible page that goes
 * away mid-request loses nothing: the events stay queued, and its pagehide
 * beacon carries them.
 */
export function fetchTransport(
  fetchFn: typeof fetch,
  sendBeacon: ((url: string, body: string) => boolean) | undefined,
  timeoutMs: number,
  hidden: () => boolean,
): Transport {
  return {
    async send(url, body) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        const response = await fetchFn(url, { method: 'POST', body, keepalive: hidden() && fitsKeepalive(body), signal: abort.signal });
        return { status: response.status, body: await response.json().catch(() => undefined), retryAfter: response.headers.get('retry-after') };
      } finally {
        clearTimeout(timer);
      }
    },
    beacon: sendBeacon,
  };
}
