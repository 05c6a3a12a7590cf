/** A product's page: picture, price, stock, quantity and "Add to cart", then the "Because you viewed" recommendations slot. */
import { categoryNamed } from '../../catalog/categories.js';
import { productById } from '../../catalog/products.js';
import { productArtwork } from '../artwork.js';
import { formatCents, formatPrice } from '../format.js';
import { escapeHtml } from '../html.js';
import type { Links } from '../paths.js';
import { productViewed } from '../tracking.js';
import { FREE_SHIPPING_FROM_CENTS } from '../../shop/cart.js';
import { renderBreadcrumb } from './breadcrumb.js';
import { addToCartButton, stockLabel } from './card.js';
import { notFoundPage } from './not-found.js';
import type { PageView } from './page-view.js';

export function productPage(productId: string, links: Links): PageView {
  const product = productById(productId);
  if (product === undefined) return notFoundPage(links, `There is no product “${productId}”.`);
  const category = categoryNamed(product.category)!;
  const id = escapeHtml(product.id);
  const max = Math.max(1, Math.min(product.stock, 99));
  const main = `${renderBreadcrumb([{ label: 'Home', href: links.home }, { label: category.name, href: links.category(category.id) }, { label: product.name }])}
<article class="product-detail" data-sf-product="${id}" data-sf-category="${escapeHtml(product.category)}" data-sf-slot="product-page">
  <div class="product-image product-detail-image" style="--hue: ${Number(product.hue) % 360}">${productArtwork(product.artwork)}</div>
  <div class="product-detail-body">
    <p class="product-category"><a href="${escapeHtml(links.category(category.id))}">${escapeHtml(category.name)}</a></p>
    <h1 class="product-detail-name">${escapeHtml(product.name)}</h1>
    <p class="product-detail-price">${escapeHtml(formatPrice(product))}</p>
    <p class="product-stock${product.inStock ? '' : ' is-out'}">${escapeHtml(stockLabel(product))}${product.inStock && product.stock > 5 ? ` · ${product.stock} available` : ''}</p>
    <p class="product-detail-blurb">${escapeHtml(product.blurb)}</p>
    <div class="buy-row">
      ${product.inStock ? `<label class="quantity"><span>Quantity</span><input type="number" name="quantity" min="1" max="${max}" value="1" inputmode="numeric" data-quantity></label>` : ''}
      ${addToCartButton(product)}
    </div>
    <p class="cart-note" role="status" data-cart-note></p>
    <ul class="perks">
      <li>Free delivery from ${escapeHtml(formatCents(FREE_SHIPPING_FROM_CENTS))}</li>
      <li>30-day returns</li>
      <li>Ships in 2–3 working days</li>
    </ul>
  </div>
</article>
<section class="recs-section" aria-labelledby="recs-heading">
  <h2 id="recs-heading">Because you viewed ${escapeHtml(product.name)}</h2>
  <div class="slot slot-recs" data-sf-slot="recs" data-testid="recs-slot"><p class="slot-placeholder">Finding pieces that go with it…</p></div>
</section>`;
  return { status: 200, title: product.name, main, track: [productViewed(product)] };
}
