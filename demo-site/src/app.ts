/** The storefront's routes: the page with the SDK wired in, the SDK bundle, and the static assets. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { mountAccount, signedIn } from './account/routes.js';
import { PRODUCTS } from './catalog/products.js';
import { renderStorefront } from './storefront/render.js';

export interface DemoAppOptions {
  edgeUrl: string;
  siteKey: string;
  /** Absolute path of sdk/dist/sessionflow.min.js. */
  sdkFile: string;
  /** Absolute path of the folder with index.html and the assets. */
  publicDir: string;
  /** The site's identity secret: the storefront signs identity tokens with it at sign-in and on each page load of a signed-in visitor. */
  identitySecret?: string | undefined;
}

export function createDemoApp(options: DemoAppOptions): Hono {
  const template = readFileSync(join(options.publicDir, 'index.html'), 'utf8');
  const app = new Hono();
  const account = { siteKey: options.siteKey, identitySecret: options.identitySecret };
  mountAccount(app, account);

  app.get('/', async (c) => {
    const category = c.req.query('category');
    const products = category === undefined ? PRODUCTS : PRODUCTS.filter((p) => p.category === category);
    const html = renderStorefront(template, { siteKey: options.siteKey, endpoint: options.edgeUrl, products, signedIn: await signedIn(c, account) });
    c.header('Cache-Control', 'no-store');
    return c.html(html);
  });
  // The raw template is not a page of its own.
  app.get('/index.html', (c) => c.redirect('/', 301));

  app.get(
    '/sdk/sessionflow.min.js',
    serveStatic({ path: options.sdkFile, onFound: (_path, c) => void c.header('Cache-Control', 'no-cache') }),
  );
  app.get('/sdk/sessionflow.min.js.map', serveStatic({ path: `${options.sdkFile}.map` }));

  app.use('/*', serveStatic({ root: options.publicDir }));
  app.notFound((c) => c.text('Not found', 404));
  return app;
}
