/**
 * The shop's addresses. The same pages exist twice: server-rendered at the
 * root (`/p/sku-1001`) and in the single-page app under `/app`
 * (`/app/p/sku-1001`); `linksFor(base)` makes the links of either.
 */
export const APP_BASE = '/app';

export const productPath = (id: string, base = ''): string => `${base}/p/${encodeURIComponent(id)}`;
export const categoryPath = (id: string, base = ''): string => `${base}/c/${encodeURIComponent(id)}`;

export interface Links {
  base: string;
  home: string;
  category(id: string): string;
  product(id: string): string;
  search(query?: string): string;
  cart: string;
  checkout: string;
  order(id: string): string;
}

export function linksFor(base: '' | typeof APP_BASE): Links {
  return {
    base,
    home: base === '' ? '/' : base,
    category: (id) => categoryPath(id, base),
    product: (id) => productPath(id, base),
    search: (query) => (query === undefined ? `${base}/search` : `${base}/search?q=${encodeURIComponent(query)}`),
    cart: `${base}/cart`,
    checkout: `${base}/checkout`,
    order: (id) => `${base}/orders/${encodeURIComponent(id)}`,
  };
}

/** The page a path names, relative to the entry's base. */
export type Route =
  | { name: 'home' }
  | { name: 'category'; category: string }
  | { name: 'product'; productId: string }
  | { name: 'search'; query: string }
  | { name: 'cart' }
  | { name: 'checkout' }
  | { name: 'order'; orderId: string }
  | { name: 'not-found' };

const decode = (part: string): string | undefined => {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
};

/**
 * The route of `pathname` + `search` under `base`. The old storefront's links
 * (`/?category=lighting`, `/?product=sku-1005`, which the edge's demo rules
 * still use) name the category and product pages.
 */
export function matchRoute(pathname: string, search: string, base = ''): Route {
  if (base !== '' && pathname !== base && !pathname.startsWith(`${base}/`)) return { name: 'not-found' };
  const path = pathname.slice(base.length).replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(search);
  if (path === '/') {
    const category = query.get('category');
    const product = query.get('product');
    if (product) return { name: 'product', productId: product };
    if (category) return { name: 'category', category };
    return { name: 'home' };
  }
  if (path === '/search') return { name: 'search', query: query.get('q') ?? '' };
  if (path === '/cart') return { name: 'cart' };
  if (path === '/checkout') return { name: 'checkout' };
  const match = /^\/(c|p|orders)\/([^/]+)$/.exec(path);
  const id = match ? decode(match[2]!) : undefined;
  if (match && id !== undefined) {
    if (match[1] === 'c') return { name: 'category', category: id };
    if (match[1] === 'p') return { name: 'product', productId: id };
    return { name: 'order', orderId: id };
  }
  return { name: 'not-found' };
}

/**
 * The single-page app's address for a link to the shop: a link the app made
 * (`/app/...`) as it is, a link of the server-rendered shop (`/p/sku-1001`,
 * the recommendations' items, the edge's `/?category=lighting` banners) as the
 * same page in the app; undefined for anything else (a full page load).
 */
export function appPathFor(pathname: string, search: string): string | undefined {
  if (pathname === APP_BASE || pathname.startsWith(`${APP_BASE}/`)) return `${pathname}${search}`;
  const route = matchRoute(pathname, search, '');
  const links = linksFor(APP_BASE);
  switch (route.name) {
    case 'home':
      return links.home;
    case 'category': {
      const sort = new URLSearchParams(search).get('sort');
      return `${links.category(route.category)}${pathname === '/' || sort === null ? '' : `?sort=${encodeURIComponent(sort)}`}`;
    }
    case 'product':
      return links.product(route.productId);
    case 'search':
      return links.search(route.query);
    case 'cart':
      return links.cart;
    case 'checkout':
      return links.checkout;
    case 'order':
      return links.order(route.orderId);
    case 'not-found':
      return undefined;
  }
}
