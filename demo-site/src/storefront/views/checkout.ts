/** The checkout: delivery details and the order summary; "Place order" ends in a purchase and the order page. */
import { CHECKOUT_FIELDS, CHECKOUT_LABELS, type CheckoutField } from '../../shop/checkout-form.js';
import { summarize, type CartItem } from '../../shop/cart.js';
import { formatCents } from '../format.js';
import { escapeHtml } from '../html.js';
import type { Links } from '../paths.js';
import { renderTotals } from './summary.js';
import type { PageView } from './page-view.js';

const AUTOCOMPLETE: Readonly<Record<CheckoutField, string>> = {
  name: 'name',
  email: 'email',
  address: 'street-address',
  postcode: 'postal-code',
  city: 'address-level2',
  country: 'country-name',
};

export function checkoutPage(items: readonly CartItem[], links: Links): PageView {
  const summary = summarize(items);
  if (summary.lines.length === 0) {
    const main = `<section class="empty-state"><h1>Checkout</h1><p>Your cart is empty: there is nothing to check out yet.</p><p><a class="button primary" href="${escapeHtml(links.home)}">Continue shopping</a></p></section>`;
    return { status: 200, title: 'Checkout', main, track: [] };
  }
  const fields = CHECKOUT_FIELDS.map(
    (field) => `<div class="field field-${field}">
      <label for="checkout-${field}">${escapeHtml(CHECKOUT_LABELS[field])}</label>
      <input id="checkout-${field}" name="${field}" type="${field === 'email' ? 'email' : 'text'}" autocomplete="${AUTOCOMPLETE[field]}" required aria-describedby="checkout-${field}-error">
      <p class="field-error" id="checkout-${field}-error" data-field-error="${field}"></p>
    </div>`,
  ).join('\n');
  const lines = summary.lines
    .map((l) => `<li><span>${escapeHtml(l.product.name)} × ${l.quantity}</span><span>${escapeHtml(formatCents(l.lineCents))}</span></li>`)
    .join('');
  const main = `<h1>Checkout</h1>
<div class="cart-layout">
  <form class="checkout-form" method="post" action="/api/orders" data-checkout-form>
    <fieldset>
      <legend>Delivery</legend>
      <div class="fields">${fields}</div>
    </fieldset>
    <fieldset>
      <legend>Payment</legend>
      <p class="note">This is a demo shop: nothing is charged and nothing ships.</p>
    </fieldset>
    <p class="form-error" role="alert" data-form-error></p>
    <button type="submit" class="button primary block" data-testid="checkout-submit">Place order · ${escapeHtml(formatCents(summary.totalCents))}</button>
  </form>
  <aside class="cart-summary" aria-labelledby="summary-heading">
    <h2 id="summary-heading">Your order</h2>
    <ul class="summary-lines">${lines}</ul>
    ${renderTotals(summary)}
    <p><a href="${escapeHtml(links.cart)}">Edit cart</a></p>
  </aside>
</div>`;
  return { status: 200, title: 'Checkout', main, track: [] };
}
