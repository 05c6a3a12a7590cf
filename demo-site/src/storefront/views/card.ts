/** A product in a grid: picture and name (one link to its page), price, stock, and the buttons. */
import type { Product } from '../../catalog/products.js';
import { productArtwork } from '../artwork.js';
import { formatPrice } from '../format.js';
import { escapeHtml } from '../html.js';
import type { Links } from '../paths.js';
import { categoryNamed } from '../../catalog/categories.js';

export interface CardOptions {
  /** `data-sf-slot`: where on the page the card is (the SDK reports it with clicks and impressions). */
  slot: string;
  /** A "Quick view" button that opens the description in place (the home page). */
  quickView?: boolean;
}

export function stockLabel(product: Product): string {
  if (!product.inStock) return 'Sold out';
  return product.stock <= 5 ? `Only ${product.stock} left` : 'In stock';
}

export function addToCartButton(product: Product, label = 'Add to cart'): string {
  return product.inStock
    ? `<button type="button" class="button primary" data-action="add-to-cart" data-testid="add-to-cart" data-product-id="${escapeHtml(product.id)}" data-price-cents="${product.priceCents}">${escapeHtml(label)}</button>`
    : '<button type="button" class="button primary" disabled>Sold out</button>';
}

export function renderProductCard(product: Product, links: Links, options: CardOptions): string {
  const id = escapeHtml(product.id);
  const category = escapeHtml(product.category);
  const detailsId = `details-${options.slot}-${id}`;
  return `<article class="product" data-testid="product-card" data-sf-product="${id}" data-sf-category="${category}" data-sf-slot="${escapeHtml(options.slot)}">
  <a class="product-link" href="${escapeHtml(links.product(product.id))}">
    <div class="product-image" style="--hue: ${Number(product.hue) % 360}">${productArtwork(product.artwork)}</div>
    <h3 class="product-name">${escapeHtml(product.name)}</h3>
  </a>
  <div class="product-body">
    <p class="product-category">${escapeHtml(categoryNamed(product.category)?.name ?? product.category)}</p>
    <p class="product-price">${escapeHtml(formatPrice(product))}<span class="product-stock${product.inStock ? '' : ' is-out'}">${escapeHtml(stockLabel(product))}</span></p>
    ${options.quickView ? `<p class="product-blurb" id="${detailsId}">${escapeHtml(product.blurb)}</p>` : ''}
    <div class="product-actions">
      ${options.quickView ? `<button type="button" class="button secondary" data-action="view" aria-expanded="false" aria-controls="${detailsId}">Quick view</button>` : ''}
      ${addToCartButton(product)}
    </div>
  </div>
</article>`;
}

export function renderProductGrid(products: readonly Product[], links: Links, options: CardOptions, label: string): string {
  return `<div class="product-grid" role="list" aria-label="${escapeHtml(label)}">${products.map((p) => `<div role="listitem">${renderProductCard(p, links, options)}</div>`).join('\n')}</div>`;
}
