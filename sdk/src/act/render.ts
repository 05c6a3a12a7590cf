/**
 * The built-in renderers: a banner into `[data-sf-slot="banner"]` and a
 * recommendations list into `[data-sf-slot="recs"]` (or the slot the action
 * names). They only fill slots the page already has, which the site reserves
 * (sized in its CSS), so nothing the visitor is reading moves. Every field is
 * set as text, never as HTML, and links must be http(s): the answer cannot
 * inject markup or script into the page.
 */
import type { Action } from '@sessionflow/core';
import { RENDERED_KINDS } from './kinds.js';

export function renderAction(doc: Document, action: Action): boolean {
  const { kind } = action;
  if (!RENDERED_KINDS.includes(kind)) return false;
  const name = action.slot ?? kind;
  // Compared as a string, not built into a selector, so a slot name cannot be a selector injection.
  const slot = Array.from(doc.querySelectorAll('[data-sf-slot]')).find((el) => el.getAttribute('data-sf-slot') === name);
  if (!slot) return false;
  const make = (tag: string, className: string, text?: string, href?: string) => {
    const url = safeUrl(href, doc.baseURI);
    const el = doc.createElement(url ? 'a' : tag);
    el.className = className;
    if (text) el.textContent = text;
    if (url) el.setAttribute('href', url);
    return el;
  };
  const box = make('div', `sf-${kind}`);
  if (action.title) box.append(make('strong', 'sf-title', action.title));
  if (kind === 'banner') {
    if (action.text) box.append(make('span', 'sf-text', action.text));
    if (action.href) box.append(make('span', 'sf-cta', action.cta || 'More', action.href));
  } else {
    const list = make('ul', '');
    for (const item of action.items ?? []) {
      const entry = make('li', 'sf-item');
      // So clicks on and impressions of recommended products are captured like any other.
      entry.setAttribute('data-sf-product', String(item.id));
      entry.append(make('span', 'sf-name', item.name, item.href));
      if (item.price) entry.append(make('span', 'sf-price', item.price));
      list.append(entry);
    }
    box.append(list);
  }
  slot.replaceChildren(box);
  return true;
}

function safeUrl(href: string | undefined, base: string): string | undefined {
  try {
    const url = href ? new URL(href, base) : undefined;
    return url && /^https?:$/.test(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}
