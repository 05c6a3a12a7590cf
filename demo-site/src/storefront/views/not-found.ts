import { escapeHtml } from '../html.js';
import type { Links } from '../paths.js';
import type { PageView } from './page-view.js';

export function notFoundPage(links: Links, message = 'This page does not exist, or no longer does.'): PageView {
  const main = `<section class="empty-state">
  <h1>Not found</h1>
  <p>${escapeHtml(message)}</p>
  <p><a class="button primary" href="${escapeHtml(links.home)}">Back to the shop</a></p>
</section>`;
  return { status: 404, title: 'Not found', main, track: [] };
}
