import { createDemoApp, PUBLIC_DIR } from '@sessionflow/demo-site';
import { describe, expect, it } from 'vitest';
import { sdkIife } from '../../src/sdk/files.js';
import { PAGE_OBSERVERS, pageForInstall } from '../../src/sdk/page-cost/page-html.js';
import { installs } from '../../src/sdk/page-cost/installs.js';
import { peers } from '../../src/sdk/peers.js';

const page = `<!doctype html><html><head><meta charset="utf-8">
<script>!function(w){var s=w.sessionflow=w.sessionflow||{q:[]};s.q&&"init track".split(" ").forEach(function(m){s[m]=s[m]||function(){s.q.push([m,[].slice.call(arguments)])}})}(window)</script>
<script async src="/sdk/sessionflow.min.js" data-site-key="k" data-endpoint="http://edge"></script>
<script defer src="/store.js"></script></head><body><h1>Shop</h1></body></html>`;

const peer = { keepsSessionflow: false, head: (origin: string) => `<script async src="${origin}/peer.js"></script>` };
const bare = { keepsSessionflow: false, head: () => '' };
const ours = { keepsSessionflow: true, head: () => '<script>not used</script>' };

describe('pageForInstall', () => {
  it('puts a peer\'s tags where Sessionflow\'s tag was, and drops Sessionflow\'s stub', () => {
    const html = pageForInstall(page, '/', peer, 'http://shop');
    expect(html).not.toContain('sessionflow');
    expect(html).toContain('<script async src="http://shop/peer.js"></script>\n<script defer src="/store.js">');
  });

  it('leaves the bare page with the store\'s own script only', () => {
    const html = pageForInstall(page, '/', bare, 'http://shop');
    expect(html.match(/<script\b/g)).toHaveLength(2); // the observers and store.js
    expect(html).toContain('<script defer src="/store.js">');
  });

  it('keeps the shop\'s own Sessionflow stub and tag for Sessionflow', () => {
    const html = pageForInstall(page, '/', ours, 'http://shop');
    expect(html).toContain('w.sessionflow=w.sessionflow');
    expect(html).toContain('<script async src="/sdk/sessionflow.min.js" data-site-key="k"');
    expect(html).not.toContain('not used');
  });

  it('puts the observers first in the head, on every page alike', () => {
    for (const install of [peer, bare, ours]) {
      const html = pageForInstall(page, '/', install, 'http://shop');
      expect(html.indexOf(PAGE_OBSERVERS)).toBe(html.indexOf('<head>') + '<head>'.length);
    }
  });

  it('refuses a page without Sessionflow\'s tag, naming the page', () => {
    expect(() => pageForInstall('<html><head></head><body></body></html>', '/p/x', peer, 'http://shop')).toThrow(/\/p\/x has no Sessionflow script tag/);
  });

  it('finds the tag on the storefront\'s real page (demo-site\'s createDemoApp)', async () => {
    const shop = createDemoApp({ edgeUrl: 'http://edge.test', siteKey: 'bench', sdkFile: sdkIife, publicDir: PUBLIC_DIR });
    const html = pageForInstall(await (await shop.request('/')).text(), '/', bare, 'http://shop');
    expect(html).not.toContain('sessionflow.min.js');
    expect(html).not.toContain('w.sessionflow=');
    expect(html).toContain(PAGE_OBSERVERS);
  });
});

describe('installs', () => {
  it('has the bare page, Sessionflow and one install per peer the suite measures', () => {
    expect(installs().map((i) => i.name)).toEqual(['none', 'sessionflow', ...peers.map((p) => p.name)]);
  });
});
