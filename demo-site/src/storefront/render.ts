/** Fills the storefront template: the product grid, the SDK's site key and edge endpoint, and the visitor's account. */
import type { SignedIn } from '../account/routes.js';
import type { Product } from '../catalog/products.js';
import { productArtwork } from './artwork.js';
import { escapeHtml } from './html.js';

export interface StorefrontValues {
  siteKey: string;
  endpoint: string;
  products: readonly Product[];
  /** The signed-in visitor, with a fresh identity token; undefined when signed out. */
  signedIn?: SignedIn | undefined;
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

/** The header's account button: "Sign in", or "Sign out" for a signed-in visitor. */
export function renderAccount(signedIn: SignedIn | undefined): string {
  return signedIn === undefined
    ? '<button type="button" class="button secondary account" data-action="sign-in">Sign in</button>'
    : '<button type="button" class="button secondary account" data-action="sign-out">Sign out</button>';
}

/**
 * For a signed-in visitor: who they are and a fresh identity token, as JSON
 * that store.js hands to `sessionflow.identify` on this page load. Every `<` is
 * written as `\u003c`, so no value can end the script element.
 */
export function renderIdentity(signedIn: SignedIn | undefined): string {
  if (signedIn === undefined) return '';
  const json = JSON.stringify({ userId: signedIn.userId, traits: signedIn.traits, token: signedIn.token }).replace(/</g, '\\u003c');
  return `<script type="application/json" id="sf-identity">${json}</script>`;
}

/** Replaces `{{SITE_KEY}}`, `{{ENDPOINT}}`, `{{PRODUCTS}}`, `{{ACCOUNT}}` and `{{IDENTITY}}`; values are HTML-escaped. */
export function renderStorefront(template: string, values: StorefrontValues): string {
  const fills: Record<string, string> = {
    SITE_KEY: escapeHtml(values.siteKey),
    ENDPOINT: escapeHtml(values.endpoint),
    PRODUCTS: values.products.map(renderProductCard).join('\n'),
    ACCOUNT: renderAccount(values.signedIn),
    IDENTITY: renderIdentity(values.signedIn),
  };
  // A function replacement, so `$&` and friends in a value are taken literally.
  return template.replace(/\{\{(SITE_KEY|ENDPOINT|PRODUCTS|ACCOUNT|IDENTITY)\}\}/g, (_match, name: string) => fills[name] ?? '');
}
