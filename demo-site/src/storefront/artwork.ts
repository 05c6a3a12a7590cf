/** Image placeholders: a small inline SVG per kind of product, drawn on the card's tinted block. No network. */

export type Artwork = 'floor-lamp' | 'table-lamp' | 'chair' | 'table' | 'mugs' | 'skillet' | 'blanket' | 'plant';

const SHAPES: Record<Artwork, string> = {
  'floor-lamp': '<path d="M27 10h18l6 14H21z"/><rect x="34.5" y="24" width="3" height="44"/><rect x="26" y="68" width="20" height="4" rx="2"/>',
  'table-lamp': '<path d="M30 24h20l7 16H23z"/><rect x="38" y="40" width="4" height="20"/><rect x="29" y="60" width="22" height="5" rx="2.5"/>',
  chair: '<rect x="22" y="20" width="8" height="32" rx="3"/><rect x="22" y="40" width="36" height="10" rx="3"/><rect x="24" y="50" width="4" height="16"/><rect x="52" y="50" width="4" height="16"/>',
  table: '<ellipse cx="40" cy="32" rx="22" ry="5"/><path d="M28 35l-4 31h3l6-31zM52 35l4 31h-3l-6-31z"/>',
  mugs: '<path d="M16 34h22v18a8 8 0 0 1-8 8h-6a8 8 0 0 1-8-8z"/><path d="M38 38h3a5 5 0 0 1 0 10h-3v-3h3a2 2 0 0 0 0-4h-3z"/><path d="M44 28h18v15a7 7 0 0 1-7 7h-4a7 7 0 0 1-7-7z" opacity=".7"/>',
  skillet: '<circle cx="32" cy="44" r="16"/><rect x="46" y="41" width="26" height="6" rx="3"/>',
  blanket: '<path d="M20 24h40v32H20z" opacity=".85"/><path d="M20 32h40M20 40h40M20 48h40" stroke="#fff" stroke-width="2" opacity=".5"/>',
  plant: '<path d="M40 56V30" stroke-width="3" fill="none"/><ellipse cx="32" cy="30" rx="8" ry="12" transform="rotate(-30 32 30)"/><ellipse cx="48" cy="28" rx="8" ry="12" transform="rotate(30 48 28)"/><path d="M30 54h20l-3 12H33z"/>',
};

export function productArtwork(artwork: Artwork): string {
  return `<svg viewBox="0 0 80 80" aria-hidden="true" focusable="false" fill="currentColor" stroke="currentColor" stroke-width="0">${SHAPES[artwork]}</svg>`;
}
