/** How a batch travels to the edge. Throws on a network failure; any HTTP answer is returned. */
export interface Transport {
  send(url: string, body: string): Promise<TransportResponse>;
}

export interface TransportResponse {
  status: number;
  /** The parsed JSON answer, or undefined when there was none. */
  body: unknown;
}

/** Browsers cap the bodies of all keepalive requests in flight at 64 KiB together. */
const KEEPALIVE_BUDGET_BYTES = 60_000;

/**
 * POST with fetch. `keepalive` lets a batch sent from `pagehide` outlive the
 * page; bodies too big for it go without, rather than failing for good.
 */
export function fetchTransport(fetchFn: typeof fetch): Transport {
  return {
    async send(url, body) {
      const response = await fetchFn(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        keepalive: new TextEncoder().encode(body).length < KEEPALIVE_BUDGET_BYTES,
      });
      let parsed: unknown;
      try {
        parsed = await response.json();
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed };
    },
  };
}
