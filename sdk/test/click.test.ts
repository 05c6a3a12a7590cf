// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { captureClicks, describeClick } from '../src/capture/click.js';
import { selectorOf, visibleText } from '../src/capture/element.js';

function mount(html: string): void {
  document.body.innerHTML = html;
}

function byId(id: string): Element {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`no #${id} in the fixture`);
  return el;
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('describeClick', () => {
  it('takes product, category and slot from the nearest ancestors, each on its own', () => {
    mount(`
      <section data-sf-category="shoes" data-sf-slot="homepage-grid">
        <article class="card" data-sf-product="sku-1001">
          <h3>Trail runner</h3>
          <button class="btn primary" type="button"><span id="label">Add to cart</span></button>
        </article>
      </section>`);
    const click = describeClick(byId('label'));
    expect(click.product).toEqual({ id: 'sku-1001', category: 'shoes', slot: 'homepage-grid' });
  });

  it('lets a closer data-sf-category win over a farther one', () => {
    mount(`
      <div data-sf-category="outer">
        <div data-sf-product="sku-2002" data-sf-category="inner"><a id="go" href="/p/2002">See</a></div>
      </div>`);
    expect(describeClick(byId('go')).product).toEqual({ id: 'sku-2002', category: 'inner' });
  });

  it('has no product when no ancestor declares one, even if a category does', () => {
    mount(`<nav data-sf-category="menu"><a id="home" href="/">Home</a></nav>`);
    expect(describeClick(byId('home')).product).toBeUndefined();
  });

  it('ignores blank product ids', () => {
    mount(`<div data-sf-product="   "><button id="b">Buy</button></div>`);
    expect(describeClick(byId('b')).product).toBeUndefined();
  });

  it('describes the button around a clicked span: tag, path selector, text', () => {
    mount(`
      <div class="grid">
        <article class="card featured extra" data-sf-product="sku-1001">
          <button class="btn primary" type="button"><span id="label">  Add
             to   cart </span></button>
        </article>
      </div>`);
    const { element } = describeClick(byId('label'));
    expect(element).toEqual({
      tag: 'button',
      selector: 'div.grid > article.card.featured > button.btn.primary',
      text: 'Add to cart',
    });
  });

  it('gives the absolute href of a clicked link and stops the selector at an id', () => {
    mount(`<main id="shop"><ul class="list"><li><a href="/products/sku-3003?ref=grid"><b id="name">Lamp</b></a></li></ul></main>`);
    const { element } = describeClick(byId('name'));
    expect(element.tag).toBe('a');
    expect(element.selector).toBe('main#shop > ul.list > li > a');
    expect(element.href).toBe(new URL('/products/sku-3003?ref=grid', document.location.href).href);
    expect(element.text).toBe('Lamp');
  });

  it('leaves out javascript: links', () => {
    mount(`<a id="js" href="javascript:void(0)">Open</a>`);
    expect(describeClick(byId('js')).element.href).toBeUndefined();
  });

  it('never reports what was typed into a field', () => {
    mount(`
      <form id="f">
        <label id="l">Email <input id="email" name="email" value="secret@example.com"></label>
        <textarea id="notes">my private notes</textarea>
      </form>`);
    (byId('email') as HTMLInputElement).value = 'typed@example.com';
    const input = describeClick(byId('email')).element;
    expect(input.tag).toBe('input');
    expect(JSON.stringify(input)).not.toMatch(/example\.com/);
    expect(JSON.stringify(describeClick(byId('notes')).element)).not.toMatch(/private/);
    expect(describeClick(byId('l')).element.text).toBe('Email');
    expect(JSON.stringify(describeClick(byId('f')).element)).not.toMatch(/private|example\.com/);
  });

  it('names a field by its aria-label, not its value', () => {
    mount(`<input id="q" type="search" aria-label="Search products" value="red shoes">`);
    expect(describeClick(byId('q')).element.text).toBe('Search products');
  });
});

describe('visibleText', () => {
  it('cuts long text to 64 characters', () => {
    mount(`<p id="p">${'word '.repeat(40)}</p>`);
    const text = visibleText(byId('p'));
    expect(text.length).toBeLessThanOrEqual(64);
    expect(text.startsWith('word word')).toBe(true);
  });

  it('skips hidden, script and contenteditable content, and breaks words between blocks', () => {
    mount(`<div id="d"><div>Price</div><div>€49</div><span hidden>internal</span><script>var x = 1</script><div contenteditable="true">draft</div></div>`);
    expect(visibleText(byId('d'))).toBe('Price €49');
  });
});

describe('selectorOf', () => {
  it('keeps at most four steps and drops classes that are not plain names', () => {
    mount(`<div class="a"><div class="b"><div class="c"><div class="d"><p class="e x:y" id="9bad">t</p></div></div></div></div>`);
    const p = document.querySelector('p.e')!;
    expect(selectorOf(p)).toBe('div.b > div.c > div.d > p.e');
  });
});

describe('captureClicks', () => {
  it('sees clicks in the capture phase, even when the page stops them', () => {
    mount(`<div data-sf-product="sku-4004"><button id="buy">Buy</button></div>`);
    byId('buy').addEventListener('click', (event) => event.stopPropagation());
    document.body.addEventListener('click', (event) => event.stopImmediatePropagation(), true);
    const seen: unknown[] = [];
    const lifetime = new AbortController();
    captureClicks(document, lifetime.signal, (click) => seen.push(click));
    (byId('buy') as HTMLButtonElement).click();
    lifetime.abort();
    (byId('buy') as HTMLButtonElement).click();
    expect(seen).toEqual([{ element: { tag: 'button', selector: 'button#buy', text: 'Buy' }, product: { id: 'sku-4004' } }]);
  });

  it('describes what was clicked inside an open shadow root, not the host the event was retargeted to', () => {
    mount(`<div data-sf-product="sku-5005"><shop-card id="host"></shop-card></div>`);
    const root = byId('host').attachShadow({ mode: 'open' });
    root.innerHTML = '<button id="inner">Add to bag</button>';
    const seen: unknown[] = [];
    const lifetime = new AbortController();
    captureClicks(document, lifetime.signal, (click) => seen.push(click));
    root.getElementById('inner')!.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    lifetime.abort();
    // Its own selector stops at the shadow root (the button has no parent element there).
    expect(seen).toEqual([{ element: { tag: 'button', text: 'Add to bag' } }]);
  });
});
