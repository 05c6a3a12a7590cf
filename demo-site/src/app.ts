/**
 * The storefront's routes: the shop's pages (server-rendered, with the SDK by
 * script tag), the same pages under `/app` for the single-page app (which
 * takes over in the browser and bundles the SDK from npm), the shop's JSON
 * API, sign-in, the SDK bundle and the static assets.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Context } from 'hono';
import { mountAccount, signedIn } from './account/routes.js';
import { mountShopApi } from './shop/api.js';
import { summarize } from './shop/cart.js';
import { cartOf } from './shop/cart-cookie.js';
import { OrderBook } from './shop/orders.js';
import { productById } from './catalog/products.js';
import { pictureDocument } from './storefront/artwork.js';
import { pageFor } from './storefront/pages.js';
import { APP_BASE, categoryPath, linksFor, matchRoute, productPath } from './storefront/paths.js';
import { renderDocument, type Entry } from './storefront/render.js';

export interface DemoAppOptions {
  edgeUrl: string;
  siteKey: string;
  /** Absolute path of sdk/dist/sessionflow.min.js. */
  sdkFile: string;
  /** Absolute path of the folder with styles.css, store.js and the other assets. */
  publicDir: string;
  /** Absolute path of the single-page app's build (shop.js); without it `/app` renders its pages but no script takes over. */
  appDir?: string | undefined;
  /** The site's identity secret: the storefront signs identity tokens with it at sign-in and on each page load of a signed-in visitor. */
  identitySecret?: string | undefined;
  /** Order ids (default: `NW-` and 8 random hex digits, upper case). */
  newOrderId?: () => string;
}

const newOrderId = () => `NW-${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}`;

export function createDemoApp(options: DemoAppOptions): Hono {
  const app = new Hono();
  const account = { siteKey: options.siteKey, identitySecret: options.identitySecret };
  const orders = new OrderBook(options.newOrderId ?? newOrderId);
  mountAccount(app, account);
  mountShopApi(app, orders);

  const page = async (c: Context, entry: Entry) => {
    const url = new URL(c.req.url);
    const base = entry === 'app' ? APP_BASE : '';
    const route = matchRoute(url.pathname, url.search, base);
    // The old storefront's links (`/?category=…`, `/?product=…`; the edge's demo rules still use them) move to their pages.
    if (url.pathname.replace(/\/+$/, '') === base && (url.searchParams.has('product') || url.searchParams.has('category'))) {
      if (route.name === 'product') return c.redirect(productPath(route.productId, base), 302);
      if (route.name === 'category') return c.redirect(categoryPath(route.category, base), 302);
    }
    const cart = cartOf(c);
    const links = linksFor(base);
    const view = pageFor(route, { links, cart, order: route.name === 'order' ? orders.get(route.orderId) : undefined, sort: url.searchParams.get('sort') });
    const html = renderDocument(view, {
      siteKey: options.siteKey,
      endpoint: options.edgeUrl,
      entry,
      links,
      cartUnits: summarize(cart).units,
      signedIn: await signedIn(c, account),
      query: route.name === 'search' ? route.query : undefined,
      currentCategory: route.name === 'category' ? route.category : undefined,
    });
    c.header('Cache-Control', 'no-store');
    return c.html(html, view.status);
  };

  for (const path of ['/', '/c/:category', '/p/:productId', '/search', '/cart', '/checkout', '/orders/:orderId']) app.get(path, (c) => page(c, 'script-tag'));
  // The raw template of the old storefront is not a page of its own.
  app.get('/index.html', (c) => c.redirect('/', 301));

  if (options.appDir !== undefined && existsSync(join(options.appDir, 'shop.js'))) {
    const noCache = (_path: string, c: Context) => void c.header('Cache-Control', 'no-cache');
    app.get('/app/shop.js', serveStatic({ path: join(options.appDir, 'shop.js'), onFound: noCache }));
    app.get('/app/shop.js.map', serveStatic({ path: join(options.appDir, 'shop.js.map') }));
    // What the bundle splits off and imports when first needed (the SDK's renderers of actions).
    app.get('/app/chunks/*', serveStatic({ root: options.appDir, rewriteRequestPath: (path) => path.replace(/^\/app/, ''), onFound: noCache }));
  }
  app.get('/app/shop.js', (c) => c.text('The single-page app is not built: npm run build -w demo-site', 503));
  app.get('/app', (c) => page(c, 'app'));
  app.get('/app/*', (c) => page(c, 'app'));

  // A product's picture by id (`/pictures/sku-1001.svg`): the recommendations show them.
  app.get('/pictures/:file{[^/]+\\.svg}', (c) => {
    const product = productById(c.req.param('file').replace(/\.svg$/, ''));
    if (product === undefined) return c.text('Not found', 404);
    c.header('Content-Type', 'image/svg+xml');
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(pictureDocument(product.artwork, product.hue));
  });

  app.get(
    '/sdk/sessionflow.min.js',
    serveStatic({ path: options.sdkFile, onFound: (_path, c) => void c.header('Cache-Control', 'no-cache') }),
  );
  app.get('/sdk/sessionflow.min.js.map', serveStatic({ path: `${options.sdkFile}.map` }));
  // The SDK's renderers of actions, which the script imports from beside itself when the first action arrives.
  const renderers = join(dirname(options.sdkFile), 'sessionflow.act.js');
  app.get('/sdk/sessionflow.act.js', serveStatic({ path: renderers, onFound: (_path, c) => void c.header('Cache-Control', 'no-cache') }));
  app.get('/sdk/sessionflow.act.js.map', serveStatic({ path: `${renderers}.map` }));

  app.use('/*', serveStatic({ root: options.publicDir }));
  app.notFound((c) => c.text('Not found', 404));
  return app;
}
