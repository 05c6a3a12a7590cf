/**
 * The shop's page as each install sees it. The storefront renders its page
 * with Sessionflow's stub snippet and async script tag; for the page without
 * any script both go, for a peer its own tags take their place, so every
 * install loads from the same spot of the same page. The observers that
 * record the page's long tasks, paints and largest contentful paint go first
 * in the head (buffered, so nothing before them is missed), the same on every
 * page.
 */

const SDK_TAG = /<script\b[^>]*\bsrc="[^"]*\/sdk\/sessionflow\.min\.js"[^>]*>\s*<\/script>/;
/** The SDK's documented stub: it defines `w.sessionflow` with a call queue `q` before the tag loads. */
const SDK_STUB = /<script>[^<]*\.sessionflow=[^<]*\bq:\[\][^<]*<\/script>\s*/;
const HEAD_OPEN = /<head\b[^>]*>/;

/** What the page records while it loads; `window.__pageCost` holds it for the bench to read. */
export const PAGE_OBSERVERS = `<script>(function () {
  var cost = window.__pageCost = { longTasks: [], lcp: [], fcp: undefined };
  function observe(type, onEntry) {
    try { new PerformanceObserver(function (list) { list.getEntries().forEach(onEntry); }).observe({ type: type, buffered: true }); }
    catch (e) { cost.unsupported = (cost.unsupported || []).concat(type); }
  }
  observe('longtask', function (e) { cost.longTasks.push({ start: e.startTime, duration: e.duration }); });
  observe('largest-contentful-paint', function (e) { cost.lcp.push({ startTime: e.startTime, size: e.size }); });
  observe('paint', function (e) { if (e.name === 'first-contentful-paint') cost.fcp = e.startTime; });
})();</script>`;

/** The page for one install; throws, naming the page, when the shop's page has no Sessionflow tag to measure against. */
export function pageForInstall(html: string, page: string, install: { keepsSessionflow: boolean; head(origin: string): string }, origin: string): string {
  if (!SDK_TAG.test(html)) {
    throw new Error(`the shop's page ${page} has no Sessionflow script tag (<script … src="…/sdk/sessionflow.min.js">): the page-load figures compare installs at that tag's place`);
  }
  if (!HEAD_OPEN.test(html)) throw new Error(`the shop's page ${page} has no <head> for the page-load observers`);
  let out = html;
  if (!install.keepsSessionflow) {
    out = out.replace(SDK_STUB, '');
    // A function replacement, so `$&` in an install's tags is taken literally.
    out = out.replace(SDK_TAG, () => install.head(origin));
  }
  return out.replace(HEAD_OPEN, (open) => `${open}${PAGE_OBSERVERS}`);
}
