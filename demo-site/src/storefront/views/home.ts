/** The front page: the departments, the customer favourites (the catalog's first eight), a recommendations slot, and what is new. */
import { CATEGORIES } from '../../catalog/categories.js';
import { CLASSICS, PRODUCTS, productsIn } from '../../catalog/products.js';
import { ARTWORK_BY_CATEGORY, productArtwork } from '../artwork.js';
import { escapeHtml } from '../html.js';
import type { Links } from '../paths.js';
import { renderProductGrid } from './card.js';
import type { PageView } from './page-view.js';

/** A fixed pick of generated products, one per department in turn. */
const NEW_IN = PRODUCTS.slice(CLASSICS.length, CLASSICS.length + 10).filter((p) => p.inStock).slice(0, 8);

export function homePage(links: Links): PageView {
  const tiles = CATEGORIES.map(
    (c) => `<li><a class="category-tile" href="${escapeHtml(links.category(c.id))}" style="--hue: ${c.hue}">
      <span class="category-tile-art">${productArtwork(ARTWORK_BY_CATEGORY[c.id][0]!)}</span>
      <span class="category-tile-name">${escapeHtml(c.name)}</span>
      <span class="category-tile-count">${productsIn(c.id).length} products</span>
    </a></li>`,
  ).join('\n');
  const main = `<section class="hero">
  <div class="hero-text">
    <p class="eyebrow">Autumn collection</p>
    <h1>Things for a slower home</h1>
    <p>Lamps, chairs, kitchenware and textiles made to last, from small workshops across Europe.</p>
    <p class="hero-actions"><a class="button primary" href="${escapeHtml(links.category('lighting'))}">Shop lighting</a> <a class="button secondary" href="${escapeHtml(links.category('furniture'))}">See furniture</a></p>
  </div>
  <div class="hero-art" aria-hidden="true">${productArtwork('floor-lamp')}${productArtwork('chair')}${productArtwork('plant')}</div>
</section>
<section aria-labelledby="departments-heading">
  <h2 id="departments-heading">Shop by department</h2>
  <ul class="category-tiles">${tiles}</ul>
</section>
<section aria-labelledby="favourites-heading">
  <h2 id="favourites-heading">Customer favourites</h2>
  ${renderProductGrid(CLASSICS, links, { slot: 'catalog', quickView: true }, 'Customer favourites')}
</section>
<section class="recs-section" aria-labelledby="recs-heading">
  <h2 id="recs-heading">Recommended for you</h2>
  <div class="slot slot-recs" data-sf-slot="recs" data-testid="recs-slot"><p class="slot-placeholder">Look around: picks for you appear here.</p></div>
</section>
<section aria-labelledby="new-heading">
  <h2 id="new-heading">New this season</h2>
  ${renderProductGrid(NEW_IN, links, { slot: 'new-in', quickView: true }, 'New this season')}
</section>`;
  return { status: 200, title: 'Home', main, track: [] };
}
