/**
 * History API routing: a link or form of the shop changes the URL with
 * `pushState` and the page is rendered in place from the same views the
 * server uses. The SDK sees each URL change as a page view (it patches
 * pushState and listens to popstate); the page's own events (a product view, a
 * search) are sent after it, so they belong to the new page view. The
 * recommendations slot comes with the product page's markup, empty, and the
 * edge's answer to the new page view fills it.
 */
import type { Order } from '../src/shop/orders.js';
import { pageFor } from '../src/storefront/pages.js';
import { APP_BASE, appPathFor, linksFor, matchRoute } from '../src/storefront/paths.js';
import { SHOP_NAME } from '../src/storefront/render.js';
import type { TrackCall } from '../src/storefront/tracking.js';
import { shopApi, type CartView } from './shop-api.js';

export interface RouterDeps {
  track(call: TrackCall): void;
  /** The header's cart count follows the cart. */
  showCart(cart: Pick<CartView, 'units'>): void;
}

const links = linksFor(APP_BASE);

export interface Router {
  /** Shows `path` (an app path, or a path of the server-rendered shop, mapped); `replace` keeps the history entry. */
  go(path: string, options?: { replace?: boolean; order?: Order }): Promise<void>;
  /** Renders the current URL again (after the cart changed under it), without a page view. */
  refresh(): Promise<void>;
}

export function startRouter(deps: RouterDeps): Router {
  const main = document.getElementById('main')!;
  let shown = 0;

  const render = async (url: URL, change: 'push' | 'replace' | 'pop' | 'none', knownOrder?: Order) => {
    const ticket = ++shown;
    const route = matchRoute(url.pathname, url.search, APP_BASE);
    const needsCart = route.name === 'cart' || route.name === 'checkout';
    const [cart, order] = await Promise.all([
      needsCart ? shopApi.cart().then((a) => a.cart) : undefined,
      route.name === 'order' ? (knownOrder ?? shopApi.order(route.orderId).then((a) => a.order, () => undefined)) : undefined,
    ]);
    // A later navigation won while this one waited for the server.
    if (ticket !== shown) return;
    if (cart !== undefined) deps.showCart(cart);
    const view = pageFor(route, { links, cart: cart?.items ?? [], order, sort: url.searchParams.get('sort') });
    // The title first: the SDK reads it for the page view the URL change starts.
    document.title = `${view.title} · ${SHOP_NAME}`;
    if (change === 'push') history.pushState(null, '', url.href);
    else if (change === 'replace') history.replaceState(null, '', url.href);
    // Re-rendered in place (the cart changed): the control the visitor was on keeps the focus.
    const focused = change === 'none' && document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    const again = focused && main.contains(focused) ? { action: focused.dataset['action'], productId: focused.dataset['productId'] } : undefined;
    main.innerHTML = view.main;
    if (again?.action !== undefined) {
      Array.from(main.querySelectorAll<HTMLElement>('[data-action]'))
        .find((el) => el.dataset['action'] === again.action && el.dataset['productId'] === again.productId)
        ?.focus();
    }
    syncHeader(route.name === 'search' ? route.query : '', route.name === 'category' ? route.category : undefined);
    if (change !== 'none') {
      window.scrollTo(0, 0);
      main.focus({ preventScroll: true });
      for (const call of view.track) deps.track(call);
    }
  };

  const go: Router['go'] = (path, options = {}) => {
    const url = new URL(path, location.href);
    return render(url, url.href === location.href || options.replace ? 'replace' : 'push', options.order);
  };

  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!(anchor instanceof HTMLAnchorElement) || anchor.hasAttribute('data-reload') || anchor.hasAttribute('download') || (anchor.target && anchor.target !== '_self')) return;
    const url = new URL(anchor.href);
    if (url.origin !== location.origin) return;
    const path = appPathFor(url.pathname, url.search);
    if (path === undefined) return;
    event.preventDefault();
    void go(path);
  });

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'get') return;
    const url = new URL(form.action);
    const path = appPathFor(url.pathname, '');
    if (path === undefined || url.origin !== location.origin) return;
    event.preventDefault();
    const query = new URLSearchParams(new FormData(form) as unknown as Record<string, string>).toString();
    void go(`${path}${query ? `?${query}` : ''}`);
  });

  window.addEventListener('popstate', () => void render(new URL(location.href), 'pop'));

  return { go, refresh: () => render(new URL(location.href), 'none') };
}

function syncHeader(query: string, category: string | undefined): void {
  const input = document.querySelector<HTMLInputElement>('[data-testid="search-input"]');
  if (input && document.activeElement !== input) input.value = query;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('.site-nav a')) {
    const current = category !== undefined && link.pathname === links.category(category);
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}
