import { escapeHtml } from '../html.js';

/** Home › … › the current page (not a link). */
export function renderBreadcrumb(trail: ReadonlyArray<{ label: string; href?: string }>): string {
  const items = trail.map((step) => (step.href === undefined ? `<li><span aria-current="page">${escapeHtml(step.label)}</span></li>` : `<li><a href="${escapeHtml(step.href)}">${escapeHtml(step.label)}</a></li>`));
  return `<nav class="breadcrumb" aria-label="Breadcrumb"><ol>${items.join('')}</ol></nav>`;
}
