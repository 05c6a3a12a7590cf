/** The confirmation of a placed order. */
import type { Order } from '../../shop/orders.js';
import { formatCents } from '../format.js';
import { escapeHtml } from '../html.js';
import type { Links } from '../paths.js';
import { notFoundPage } from './not-found.js';
import type { PageView } from './page-view.js';

export function orderPage(order: Order | undefined, links: Links): PageView {
  if (order === undefined) return notFoundPage(links, 'We do not know this order (the demo keeps only recent ones).');
  const rows = order.items
    .map((i) => `<tr><th scope="row"><a href="${escapeHtml(links.product(i.productId))}">${escapeHtml(i.name)}</a></th><td>${i.quantity}</td><td>${escapeHtml(formatCents(i.priceCents * i.quantity))}</td></tr>`)
    .join('');
  const main = `<section class="order-confirmation" data-testid="order-confirmation" data-order-id="${escapeHtml(order.id)}">
  <p class="eyebrow">Order placed</p>
  <h1>Thank you, ${escapeHtml(order.name)}!</h1>
  <p>Your order <strong>${escapeHtml(order.id)}</strong> is on its way to ${escapeHtml(order.city)}. (This is a demo: nothing ships.)</p>
  <table class="order-table">
    <caption class="visually-hidden">What you ordered</caption>
    <thead><tr><th scope="col">Product</th><th scope="col">Quantity</th><th scope="col">Price</th></tr></thead>
    <tbody>${rows}</tbody>
    <tfoot>
      <tr><th scope="row" colspan="2">Delivery</th><td>${order.shippingCents === 0 ? 'Free' : escapeHtml(formatCents(order.shippingCents))}</td></tr>
      <tr><th scope="row" colspan="2">Total</th><td>${escapeHtml(formatCents(order.totalCents))}</td></tr>
    </tfoot>
  </table>
  <p><a class="button primary" href="${escapeHtml(links.home)}">Continue shopping</a></p>
</section>`;
  return { status: 200, title: 'Order placed', main, track: [] };
}
