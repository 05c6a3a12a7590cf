/** Search results for `q`; an empty query shows the departments instead. */
import { CATEGORIES } from '../../catalog/categories.js';
import { PRODUCTS } from '../../catalog/products.js';
import { normalizeQuery, searchProducts } from '../../catalog/search.js';
import { escapeHtml } from '../html.js';
import type { Links } from '../paths.js';
import { searched } from '../tracking.js';
import { renderProductGrid } from './card.js';
import type { PageView } from './page-view.js';

export function searchPage(rawQuery: string, links: Links): PageView {
  const query = normalizeQuery(rawQuery);
  const departments = `<ul class="chips">${CATEGORIES.map((c) => `<li><a class="chip" href="${escapeHtml(links.category(c.id))}">${escapeHtml(c.name)}</a></li>`).join('')}</ul>`;
  if (query === '') {
    return { status: 200, title: 'Search', main: `<section class="empty-state"><h1>What are you looking for?</h1><p>Type in the search box above, or browse a department:</p>${departments}</section>`, track: [] };
  }
  const results = searchProducts(PRODUCTS, query);
  const heading = `<h1 class="search-heading">${results.length === 0 ? 'No results' : `${results.length} ${results.length === 1 ? 'result' : 'results'}`} for “${escapeHtml(query)}”</h1>`;
  const body =
    results.length === 0
      ? `<section class="empty-state"><p>Nothing matches. Check the spelling, try a broader word such as “lamp” or “oak”, or browse a department:</p>${departments}</section>`
      : renderProductGrid(results, links, { slot: 'search' }, `Results for ${query}`);
  return { status: 200, title: `Search: ${query}`, main: `${heading}\n${body}`, track: [searched(query, results.length)] };
}
