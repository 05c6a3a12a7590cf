/** The totals box of the cart and the checkout. */
import type { CartSummary } from '../../shop/cart.js';
import { formatCents } from '../format.js';
import { escapeHtml } from '../html.js';

export function renderTotals(summary: CartSummary): string {
  const row = (label: string, value: string, key: string) => `<div class="totals-row"><dt>${label}</dt><dd data-summary="${key}">${escapeHtml(value)}</dd></div>`;
  return `<dl class="totals">
  ${row('Subtotal', formatCents(summary.subtotalCents), 'subtotal')}
  ${row('Delivery', summary.shippingCents === 0 ? 'Free' : formatCents(summary.shippingCents), 'shipping')}
  ${row('Total', formatCents(summary.totalCents), 'total')}
</dl>`;
}
