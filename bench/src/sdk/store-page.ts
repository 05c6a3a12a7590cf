/**
 * The page the browser figures are taken on: a small storefront (a fixed nav
 * of single-page-app links, five category sections of product cards marked
 * with data-sf-*), served twice, with and without the SDK's script tag, so
 * the difference between the two is what the SDK costs. The page's own
 * helpers (`window.__bench`) run the in-page measurements; they are plain
 * script, identical on both pages.
 */

export const CATEGORIES = ['shoes', 'shirts', 'bags', 'hats', 'watches'] as const;
export const PRODUCTS_PER_CATEGORY = 12;

/**
 * A long task observer first (buffered, so nothing before it is missed), then the SDK tag (or, for a peer,
 * `head`: its own tags in the same place), then the page.
 */
export function storePage(options: { withSdk: boolean; siteKey: string; endpoint: string; head?: string }): string {
  const sdkTag = options.withSdk
    ? `<script async src="/sdk/sessionflow.min.js" data-site-key="${options.siteKey}" data-endpoint="${options.endpoint}"></script>`
    : (options.head ?? '');
  const nav = CATEGORIES.map((c) => `<a href="/c/${c}" data-route>${c}</a>`).join('');
  const sections = CATEGORIES.map(
    (c) =>
      `<h2>${c}</h2><section class="grid" data-sf-category="${c}">${Array.from(
        { length: PRODUCTS_PER_CATEGORY },
        (_, i) =>
          `<div class="card" data-sf-product="${c}-${i + 1}"><h3>${c} no. ${i + 1}</h3><p class="price">${19 + i}.90 EUR</p><button type="button">Add to cart</button></div>`,
      ).join('')}</section>`,
  ).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bench store</title>
<script>${longTaskObserver}</script>
${sdkTag}
<style>
body { margin: 0; font: 16px/1.4 sans-serif; }
nav { position: fixed; top: 0; left: 0; right: 0; height: 48px; display: flex; gap: 24px; align-items: center; padding: 0 16px; background: #eee; z-index: 1; }
main { padding: 56px 16px 16px; }
.grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; }
.card { height: 200px; border: 1px solid #ccc; padding: 8px; }
</style></head>
<body><nav>${nav}</nav><main><h1 id="heading">Home</h1>${sections}</main>
<script>${pageScript}</script>
</body></html>`;
}

const longTaskObserver = `
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });`;

/** A single-page-app router on the nav links, and the in-page measurement helpers. */
const pageScript = `
const heading = document.getElementById('heading');
function route(url) {
  history.pushState({}, '', url);
  document.title = 'Bench store: ' + url;
  heading.textContent = url;
}
document.addEventListener('click', (event) => {
  const link = event.target.closest && event.target.closest('a[data-route]');
  if (!link) return;
  event.preventDefault();
  route(link.getAttribute('href'));
});

// Lets the microtasks a listener queued (and the ones those queue) run, as they would inside a real click's task.
async function drainMicrotasks() {
  for (let i = 0; i < 50; i++) await null;
}

window.__bench = {
  route,
  track(name, props) {
    if (window.sessionflow && window.sessionflow.track) window.sessionflow.track(name, props);
  },
  /** Main-thread time of one click on a product button, microtasks included; one sample per click. */
  async clickCost(samples, warmup) {
    const targets = Array.from(document.querySelectorAll('[data-sf-product] button'));
    const times = [];
    for (let s = 0; s < warmup + samples; s++) {
      const target = targets[s % targets.length];
      const event = new MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
      const t0 = performance.now();
      target.dispatchEvent(event);
      await drainMicrotasks();
      const t1 = performance.now();
      if (s >= warmup) times.push(t1 - t0);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return times;
  },
  /** The centre of a product button that is on screen, below the fixed nav. */
  visibleProduct(pick) {
    const top = 56;
    const visible = Array.from(document.querySelectorAll('[data-sf-product] button'))
      .map((b) => b.getBoundingClientRect())
      .filter((r) => r.top >= top && r.bottom <= innerHeight && r.width > 0);
    const r = visible[Math.floor(pick * visible.length)];
    return r ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : undefined;
  },
  links() {
    return Array.from(document.querySelectorAll('a[data-route]')).map((a) => {
      const r = a.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    });
  },
  atBottom() {
    return scrollY + innerHeight >= document.documentElement.scrollHeight - 4;
  },
};`;
