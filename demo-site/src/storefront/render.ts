/** Fills the storefront template: the product grid, and the SDK's site key and edge endpoint. */
import type { Product } from '../catalog/products.js';
import { productArtwork } from './artwork.js';
import { escapeHtml } from './html.js';

export interface StorefrontValues {
  siteKey: string;
  endpoint: string;
  products: readonly Product[];
}

const price = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' });

/** The price as the page shows it (and the catalog feed sends it). */
export const formatPrice = (product: Product): string => price.format(product.priceCents / 100);

export function renderProductCard(product: Product): string {
  const id = escapeHtml(product.id);
  const category = escapeHtml(product.category);
  return `<article class="product" data-sf-product="${id}" data-sf-category="${category}" data-sf-slot="catalog">
  <div class="product-image" style="--hue: ${Number(product.hue) % 360}">${productArtwork(product.artwork)}</div>
  <div class="product-body">
    <p class="product-category">${category}</p>
    <h2 class="product-name">${escapeHtml(product.name)}</h2>
    <p class="product-blurb">${escapeHtml(product.blurb)}</p>
    <p class="product-price">${escapeHtml(formatPrice(product))}</p>
    <div class="product-actions">
      <button type="button" class="button secondary" data-action="view">View</button>
      ${
        product.inStock
          ? `<button type="button" class="button primary" data-action="add-to-cart" data-price-cents="${product.priceCents}">Add to cart</button>`
          : '<button type="button" class="button primary" disabled>Sold out</button>'
      }
    </div>
  </div>
</article>`;
}

/** Replaces `{{SITE_KEY}}`, `{{ENDPOINT}}` and `{{PRODUCTS}}`; values are HTML-escaped. */
export function renderStorefront(template: string, values: StorefrontValues): string {
  const fills: Record<string, string> = {
    SITE_KEY: escapeHtml(values.siteKey),
    ENDPOINT: escapeHtml(values.endpoint),
    PRODUCTS: values.products.map(renderProductCard).join('\n'),
  };
  // A function replacement, so `$&` and friends in a value are taken literally.
  return template.replace(/\{\{(SITE_KEY|ENDPOINT|PRODUCTS)\}\}/g, (_match, name: string) => fills[name] ?? '');
}
