/**
 * The site an SDK test visits: every path is the same small shop page (so a
 * single-page app's pushState routes reload to a real page too), loading the
 * built script-tag SDK from /sdk/sessionflow.min.js the way a site owner would.
 * Query parameters named `sf-<name>` become `data-<name>` attributes of the SDK's
 * tag, e.g. `/shop?sf-require-consent=true`.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { listenLocal, repoRoot } from '@sessionflow/infra';

/** The built script-tag SDK; SESSIONFLOW_SDK_BUNDLE points the tests at another build of it. */
export const SDK_BUNDLE = process.env.SESSIONFLOW_SDK_BUNDLE ?? path.join(repoRoot, 'sdk', 'dist', 'sessionflow.min.js');
/** The renderers of actions, a file beside the script that it imports when the first action arrives. */
export const SDK_RENDERERS = 'sessionflow.act.js';

export interface PageServer {
  /** The page's origin, e.g. http://127.0.0.1:41234: the edge must allow it for the site key. */
  origin: string;
  close(): Promise<void>;
}

export interface PageSite {
  siteKey: string;
  /** The edge's base URL; read per request, so the edge may start after this server. */
  endpoint: () => string;
}

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A tall page: product cards far apart (impressions, scroll depth) and the slots actions render into. */
export function shopPage(sdkAttributes: Record<string, string>): string {
  const attributes = Object.entries(sdkAttributes)
    .map(([name, value]) => ` data-${name}="${escapeAttribute(value)}"`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sessionflow SDK test shop</title>
<style>body{margin:0;font:16px sans-serif}.spacer{height:1400px}.card{height:200px;border:1px solid #999}</style>
</head><body>
<header>
  <h1>Trail shoes</h1>
  <section id="grid" data-sf-category="shoes" data-sf-slot="grid">
    <article class="card product" data-sf-product="sku-1001">
      <a class="go" href="/product/sku-1001">Trail runner <b>X</b></a>
      <button class="add" type="button">Add to cart</button>
    </article>
  </section>
  <button id="buy" type="button">Buy now</button>
  <div data-sf-slot="banner"></div>
  <div data-sf-slot="recs"></div>
  <div data-sf-slot="promo"></div>
</header>
<div class="spacer"></div>
<article id="seen" class="card" data-sf-product="sku-2001" data-sf-category="socks">Wool sock</article>
<div class="spacer"></div>
<article id="glimpse" class="card" data-sf-product="sku-2002">Gaiter</article>
<div class="spacer"></div>
<article id="partial" class="card" data-sf-product="sku-2003">Cap</article>
<div class="spacer"></div>
<script>
  // The shop's own router keeps product links on the page, as a single-page app would.
  document.addEventListener('click', function (e) { if (e.target.closest('a.go')) e.preventDefault(); });
</script>
<script async src="/sdk/sessionflow.min.js"${attributes}></script>
</body></html>`;
}

export async function startPageServer(site: PageSite): Promise<PageServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://page.invalid');
    // The script, and beside it the renderers of actions it imports when the first action arrives.
    const file = url.pathname === '/sdk/sessionflow.min.js' ? SDK_BUNDLE : url.pathname === `/sdk/${SDK_RENDERERS}` ? path.join(path.dirname(SDK_BUNDLE), SDK_RENDERERS) : undefined;
    if (file !== undefined) {
      // Read per request: a rebuilt SDK is served without restarting anything.
      readFile(file).then(
        (bundle) => {
          res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
          res.end(bundle);
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`no SDK bundle (run npm run build -w sdk): ${err.message}`);
        },
      );
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    const attributes: Record<string, string> = { 'site-key': site.siteKey, endpoint: site.endpoint() };
    for (const [name, value] of url.searchParams) {
      if (/^sf-[a-z][a-z-]*$/.test(name)) attributes[name.slice(3)] = value;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(shopPage(attributes));
  });
  const { origin, close } = await listenLocal(server);
  return {
    origin,
    close,
  };
}
