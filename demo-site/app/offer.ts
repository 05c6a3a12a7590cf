/**
 * The edge's offers (the cart-abandonment offer) in the offer slot: the SDK
 * renders banners and recommendations itself and hands other kinds to the
 * site's `on('action')` handler. Every field is set as text; links must be http(s).
 */
import type { Action } from '@sessionflow/sdk';

export function renderOffer(doc: Document, action: Action): boolean {
  if (action.kind !== 'offer') return false;
  const name = action.slot ?? 'offer';
  const slot = Array.from(doc.querySelectorAll('[data-sf-slot]')).find((el) => el.getAttribute('data-sf-slot') === name);
  if (!slot) return false;
  const box = doc.createElement('div');
  box.className = 'offer';
  box.dataset['testid'] = 'offer';
  const title = doc.createElement('strong');
  title.textContent = action.title ?? 'An offer for you';
  const text = doc.createElement('p');
  text.textContent = action.text ?? '';
  box.append(title, text);
  const href = action.href === undefined ? undefined : new URL(action.href, doc.baseURI);
  if (href !== undefined && /^https?:$/.test(href.protocol)) {
    const cta = doc.createElement('a');
    cta.className = 'button primary';
    cta.href = href.href;
    cta.textContent = action.cta ?? 'See the offer';
    box.append(cta);
  }
  const close = doc.createElement('button');
  close.type = 'button';
  close.className = 'offer-close';
  close.dataset['action'] = 'dismiss-offer';
  close.setAttribute('aria-label', 'Dismiss the offer');
  close.textContent = '×';
  box.append(close);
  slot.replaceChildren(box);
  return true;
}
