/** A department: its products, sorted as the visitor chose. */
import { categoryNamed } from '../../catalog/categories.js';
import { productsIn, type Product } from '../../catalog/products.js';
import { escapeHtml } from '../html.js';
import type { Links } from '../paths.js';
import { renderBreadcrumb } from './breadcrumb.js';
import { renderProductGrid } from './card.js';
import { notFoundPage } from './not-found.js';
import type { PageView } from './page-view.js';

export const SORTS = {
  featured: { label: 'Featured', order: () => 0 },
  'price-asc': { label: 'Price: low to high', order: (a: Product, b: Product) => a.priceCents - b.priceCents },
  'price-desc': { label: 'Price: high to low', order: (a: Product, b: Product) => b.priceCents - a.priceCents },
  name: { label: 'Name', order: (a: Product, b: Product) => a.name.localeCompare(b.name, 'en') },
} as const;
export type Sort = keyof typeof SORTS;

export const sortNamed = (value: string | null | undefined): Sort => (value != null && Object.hasOwn(SORTS, value) ? (value as Sort) : 'featured');

export function categoryPage(categoryId: string, sort: Sort, links: Links): PageView {
  const category = categoryNamed(categoryId);
  if (category === undefined) return notFoundPage(links, `There is no department called “${categoryId}”.`);
  // In stock first within any order: a sold-out piece is shown, after what can be bought.
  const products = [...productsIn(category.id)].sort((a, b) => SORTS[sort].order(a, b) || Number(b.inStock) - Number(a.inStock));
  const options = Object.entries(SORTS)
    .map(([value, { label }]) => `<option value="${value}"${value === sort ? ' selected' : ''}>${escapeHtml(label)}</option>`)
    .join('');
  const main = `${renderBreadcrumb([{ label: 'Home', href: links.home }, { label: category.name }])}
<header class="category-header" style="--hue: ${category.hue}">
  <h1>${escapeHtml(category.name)}</h1>
  <p>${escapeHtml(category.tagline)}</p>
</header>
<div class="listing-bar">
  <p class="listing-count">${products.length} products</p>
  <form class="sort-form" method="get" action="${escapeHtml(links.category(category.id))}" data-sort-form>
    <label for="sort">Sort by</label>
    <select id="sort" name="sort">${options}</select>
    <button type="submit" class="button secondary small">Sort</button>
  </form>
</div>
${renderProductGrid(products, links, { slot: 'category' }, `${category.name} products`)}`;
  return { status: 200, title: category.name, main, track: [] };
}
