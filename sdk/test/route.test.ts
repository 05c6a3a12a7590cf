// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { watchRoute } from '../src/capture/route.js';

let lifetime: AbortController;

afterEach(() => lifetime.abort());

function watch(): string[] {
  const seen: string[] = [];
  lifetime = new AbortController();
  watchRoute(window, lifetime.signal, () => seen.push(location.href));
  return seen;
}

describe('watchRoute', () => {
  it('reports pushState and replaceState that change the URL, once each', () => {
    history.replaceState(null, '', '/start');
    const seen = watch();
    history.pushState({ n: 1 }, '', '/products/sku-1');
    history.replaceState({ n: 2 }, '', '/products/sku-1?tab=reviews');
    expect(seen).toEqual([new URL('/products/sku-1', location.href).href, new URL('/products/sku-1?tab=reviews', location.href).href]);
  });

  it('ignores a pushState or replaceState to the same URL', () => {
    history.replaceState(null, '', '/same');
    const seen = watch();
    history.replaceState({ scrollY: 120 }, '', '/same');
    history.pushState({ scrollY: 240 }, '', location.href);
    expect(seen).toEqual([]);
  });

  it('reports back/forward (popstate) and hash changes when the URL differs', () => {
    history.replaceState(null, '', '/a');
    const seen = watch();
    history.pushState(null, '', '/b');
    // What the browser does on "back": the URL changes, then popstate fires.
    history.replaceState(null, '', '/a');
    window.dispatchEvent(new PopStateEvent('popstate'));
    location.hash = '#reviews';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(seen.map((url) => new URL(url).pathname + new URL(url).hash)).toEqual(['/b', '/a', '/a#reviews']);
  });

  it('restores history and stops listening when its signal aborts', () => {
    const original = history.pushState;
    const seen = watch();
    expect(history.pushState).not.toBe(original);
    lifetime.abort();
    expect(history.pushState).toBe(original);
    history.pushState(null, '', '/after-stop');
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(seen).toEqual([]);
  });

  it('leaves a later patch by the page in place, and stays silent', () => {
    const seen = watch();
    const ours = history.pushState;
    const theirs = function (this: History, ...args: Parameters<History['pushState']>) {
      ours.apply(this, args);
    };
    history.pushState = theirs;
    lifetime.abort();
    expect(history.pushState).toBe(theirs);
    history.pushState(null, '', '/theirs');
    expect(seen).toEqual([]);
  });
});
