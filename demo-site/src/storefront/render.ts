/**
 * The document around a page: the header (departments, search, account,
 * cart), the banner and offer slots the edge's actions render into, the
 * footer, and how the SDK gets in: by script tag with `store.js` (the
 * server-rendered shop), or bundled into the single-page app's `shop.js`.
 */
import type { SignedIn } from '../account/routes.js';
import { CATEGORIES } from '../catalog/categories.js';
import { formatCents } from './format.js';
import { escapeHtml } from './html.js';
import type { Links } from './paths.js';
import type { TrackCall } from './tracking.js';
import type { PageView } from './views/page-view.js';
import { FREE_SHIPPING_FROM_CENTS } from '../shop/cart.js';

export const SHOP_NAME = 'Northwind Home';

/** How the page loads Sessionflow. */
export type Entry = 'script-tag' | 'app';

export interface DocumentValues {
  siteKey: string;
  endpoint: string;
  entry: Entry;
  links: Links;
  /** Units in the visitor's cart, for the header. */
  cartUnits: number;
  /** The signed-in visitor, with a fresh identity token; undefined when signed out. */
  signedIn?: SignedIn | undefined;
  /** The header's search box shows it (the search page). */
  query?: string | undefined;
  /** The department whose link is marked current. */
  currentCategory?: string | undefined;
}

/** The header's account button: "Sign in", or "Sign out" for a signed-in visitor. */
export function renderAccount(signedIn: SignedIn | undefined): string {
  return signedIn === undefined
    ? '<button type="button" class="button secondary account" data-action="sign-in" data-testid="sign-in">Sign in</button>'
    : '<button type="button" class="button secondary account" data-action="sign-out" data-testid="sign-out">Sign out</button>';
}

/** JSON in a script element; every `<` is written as `\u003c`, so no value can end the element. */
const jsonScript = (id: string, value: unknown): string => `<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`;

/**
 * For a signed-in visitor: who they are and a fresh identity token, which the
 * page hands to `sessionflow.identify` on this load.
 */
export function renderIdentity(signedIn: SignedIn | undefined): string {
  if (signedIn === undefined) return '';
  return jsonScript('sf-identity', { userId: signedIn.userId, traits: signedIn.traits, token: signedIn.token });
}

/** What the page tells Sessionflow once it is shown (store.js and the app send it). */
export const renderPageTracking = (track: readonly TrackCall[]): string => (track.length === 0 ? '' : jsonScript('sf-page', { track }));

const STUB =
  '<script>!function(w){var s=w.sessionflow=w.sessionflow||{q:[]};s.q&&"init track page identify reset consent optOut on flush".split(" ").forEach(function(m){s[m]=s[m]||function(){s.q.push([m,[].slice.call(arguments)])}})}(window)</script>';

function sdkTags(values: DocumentValues): string {
  if (values.entry === 'app') {
    return `${jsonScript('sf-config', { siteKey: values.siteKey, endpoint: values.endpoint })}
    <script type="module" src="/app/shop.js"></script>`;
  }
  return `<!-- The stub keeps calls made before the SDK has loaded (see sdk/README.md). -->
    ${STUB}
    <script async src="/sdk/sessionflow.min.js" data-site-key="${escapeHtml(values.siteKey)}" data-endpoint="${escapeHtml(values.endpoint)}"></script>
    <script defer src="/store.js"></script>`;
}

export function renderHeader(values: DocumentValues): string {
  const { links } = values;
  const nav = CATEGORIES.map(
    (c) => `<li><a href="${escapeHtml(links.category(c.id))}"${c.id === values.currentCategory ? ' aria-current="page"' : ''}>${escapeHtml(c.name)}</a></li>`,
  ).join('');
  return `<header class="site-header">
  <div class="header-row">
    <a class="brand" href="${escapeHtml(links.home)}">Northwind <span>Home</span></a>
    <form class="site-search" role="search" method="get" action="${escapeHtml(links.search())}">
      <label class="visually-hidden" for="site-search-input">Search products</label>
      <input id="site-search-input" type="search" name="q" data-testid="search-input" placeholder="Search lamps, chairs, mugs…" value="${escapeHtml(values.query ?? '')}" autocomplete="off">
      <button type="submit" class="search-button"><svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="10.5" cy="10.5" r="6.5" fill="none" stroke="currentColor" stroke-width="2.2"/><path d="M15.5 15.5L21 21" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg><span class="visually-hidden">Search</span></button>
    </form>
    <div class="header-actions">
      ${renderAccount(values.signedIn)}
      <a class="cart-link" href="${escapeHtml(links.cart)}"><svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 4h2.2l2.3 11h10.3l2-8H7" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/><circle cx="9" cy="19.5" r="1.6"/><circle cx="17" cy="19.5" r="1.6"/></svg><span class="cart-label">Cart</span> <span class="cart-count" data-cart-count data-testid="cart-count" aria-live="polite">${values.cartUnits}</span><span class="visually-hidden"> items</span></a>
    </div>
  </div>
  <nav class="site-nav" aria-label="Departments"><ul>${nav}</ul></nav>
</header>`;
}

/** The whole document for `view`. */
export function renderDocument(view: PageView, values: DocumentValues): string {
  const { links } = values;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(view.title)} · ${SHOP_NAME}</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/styles.css">
    ${sdkTags(values)}
    ${renderIdentity(values.signedIn)}
    ${renderPageTracking(view.track)}
  </head>
  <body data-entry="${values.entry}">
    <a class="skip-link" href="#main">Skip to content</a>
    ${renderHeader(values)}
    <!-- Slots the edge's actions render into: the banner's space is reserved (styles.css), the offer floats over the page. -->
    <div class="slot slot-banner" data-sf-slot="banner"><p class="promo-strip">Free delivery from ${escapeHtml(formatCents(FREE_SHIPPING_FROM_CENTS))} · 30-day returns · Made to last</p></div>
    <main id="main" tabindex="-1">
${view.main}
    </main>
    <aside class="slot slot-offer" data-sf-slot="offer" aria-label="Offers" aria-live="polite"></aside>
    <footer class="site-footer">
      <div>
        <p class="brand">Northwind <span>Home</span></p>
        <p>A Sessionflow demo store: every click is sent to Sessionflow, and no real products are sold here.</p>
      </div>
      <nav aria-label="This demo">
        <ul>
          <li><a href="/" data-reload>The shop, server-rendered (SDK by script tag)</a></li>
          <li><a href="/app" data-reload>The same shop as a single-page app (SDK from npm)</a></li>
          <li><a href="${escapeHtml(links.cart)}">Your cart</a></li>
        </ul>
      </nav>
    </footer>
  </body>
</html>`;
}
