/**
 * `navigator.sendBeacon` with a string body: the browser sends it as
 * `text/plain;charset=UTF-8`, a CORS-safe type (no preflight, which a page
 * being unloaded could not wait for) that the edge accepts.
 */
export function beacon(nav: Navigator): ((url: string, body: string) => boolean) | undefined {
  return typeof nav.sendBeacon === 'function' ? (url, body) => nav.sendBeacon(url, body) : undefined;
}
