/** The cart: its lines with quantity and remove, the totals, the way to checkout, and a recommendations slot. */
import { CART_LIMITS, summarize, type CartItem } from '../../shop/cart.js';
import { productArtwork } from '../artwork.js';
import { formatCents, formatPrice } from '../format.js';
import { escapeHtml } from '../html.js';
import type { Links } from '../paths.js';
import { renderTotals } from './summary.js';
import type { PageView } from './page-view.js';

export function cartPage(items: readonly CartItem[], links: Links): PageView {
  const summary = summarize(items);
  if (summary.lines.length === 0) {
    const main = `<section class="empty-state" data-testid="cart-empty"><h1>Your cart is empty</h1><p>Everything you add to it waits here.</p><p><a class="button primary" href="${escapeHtml(links.home)}">Continue shopping</a></p></section>`;
    return { status: 200, title: 'Cart', main, track: [] };
  }
  const lines = summary.lines
    .map(({ product, quantity, lineCents }) => {
      const id = escapeHtml(product.id);
      const name = escapeHtml(product.name);
      const max = Math.max(quantity, Math.min(product.stock, CART_LIMITS.quantity));
      return `<li class="cart-line" data-testid="cart-line" data-product-id="${id}" data-sf-product="${id}" data-sf-category="${escapeHtml(product.category)}" data-sf-slot="cart">
  <div class="product-image cart-line-image" style="--hue: ${Number(product.hue) % 360}">${productArtwork(product.artwork)}</div>
  <div class="cart-line-name"><a href="${escapeHtml(links.product(product.id))}">${name}</a><span>${escapeHtml(formatPrice(product))} each</span></div>
  <label class="quantity"><span>Quantity</span><input type="number" min="0" max="${max}" value="${quantity}" inputmode="numeric" data-action="set-quantity" data-product-id="${id}"></label>
  <p class="cart-line-total" data-line-total>${escapeHtml(formatCents(lineCents))}</p>
  <button type="button" class="link-button" data-action="remove" data-product-id="${id}" aria-label="Remove ${name}">Remove</button>
</li>`;
    })
    .join('\n');
  const main = `<h1>Your cart</h1>
<div class="cart-layout">
  <section aria-label="Items in your cart"><ul class="cart-lines">${lines}</ul></section>
  <aside class="cart-summary" aria-labelledby="summary-heading">
    <h2 id="summary-heading">Order summary</h2>
    ${renderTotals(summary)}
    <a class="button primary block" href="${escapeHtml(links.checkout)}" data-testid="checkout-link">Go to checkout</a>
  </aside>
</div>
<section class="recs-section" aria-labelledby="recs-heading">
  <h2 id="recs-heading">Goes well with your cart</h2>
  <div class="slot slot-recs" data-sf-slot="recs" data-testid="recs-slot"><p class="slot-placeholder">Picks for you appear here.</p></div>
</section>`;
  return { status: 200, title: 'Cart', main, track: [] };
}
