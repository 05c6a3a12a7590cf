/** Product pictures: a small inline SVG per kind of product, drawn on the card's tinted block. No network, no image files. */
import type { ProductCategory } from '../catalog/categories.js';

const SHAPES = {
  'floor-lamp': '<path d="M27 10h18l6 14H21z"/><rect x="34.5" y="24" width="3" height="44"/><rect x="26" y="68" width="20" height="4" rx="2"/>',
  'table-lamp': '<path d="M30 24h20l7 16H23z"/><rect x="38" y="40" width="4" height="20"/><rect x="29" y="60" width="22" height="5" rx="2.5"/>',
  pendant: '<rect x="39" y="6" width="2" height="26"/><path d="M22 48a18 16 0 0 1 36 0z"/><circle cx="40" cy="52" r="4" opacity=".6"/>',
  sconce: '<rect x="18" y="26" width="6" height="28" rx="2"/><path d="M24 40h14"/><rect x="24" y="38" width="14" height="3"/><path d="M36 26h20l-4 18H40z"/>',
  candle: '<rect x="24" y="36" width="10" height="30" rx="2"/><rect x="46" y="28" width="10" height="38" rx="2"/><path d="M29 26c3 4 3 7 0 9-3-2-3-5 0-9zM51 18c3 4 3 7 0 9-3-2-3-5 0-9z"/><rect x="18" y="66" width="44" height="4" rx="2"/>',
  chair: '<rect x="22" y="20" width="8" height="32" rx="3"/><rect x="22" y="40" width="36" height="10" rx="3"/><rect x="24" y="50" width="4" height="16"/><rect x="52" y="50" width="4" height="16"/>',
  table: '<ellipse cx="40" cy="32" rx="22" ry="5"/><path d="M28 35l-4 31h3l6-31zM52 35l4 31h-3l-6-31z"/>',
  stool: '<rect x="24" y="28" width="32" height="7" rx="3"/><path d="M28 35l-5 31h3l6-31zM52 35l5 31h-3l-6-31zM38 35h4v31h-4z"/>',
  shelf: '<rect x="16" y="12" width="4" height="58"/><rect x="60" y="12" width="4" height="58"/><rect x="16" y="22" width="48" height="3"/><rect x="16" y="42" width="48" height="3"/><rect x="16" y="62" width="48" height="3"/><rect x="24" y="30" width="6" height="12"/><rect x="32" y="33" width="5" height="9"/><circle cx="50" cy="56" r="5"/>',
  sofa: '<rect x="14" y="30" width="52" height="16" rx="5"/><rect x="10" y="38" width="60" height="16" rx="5"/><rect x="14" y="54" width="4" height="10"/><rect x="62" y="54" width="4" height="10"/>',
  mugs: '<path d="M16 34h22v18a8 8 0 0 1-8 8h-6a8 8 0 0 1-8-8z"/><path d="M38 38h3a5 5 0 0 1 0 10h-3v-3h3a2 2 0 0 0 0-4h-3z"/><path d="M44 28h18v15a7 7 0 0 1-7 7h-4a7 7 0 0 1-7-7z" opacity=".7"/>',
  skillet: '<circle cx="32" cy="44" r="16"/><rect x="46" y="41" width="26" height="6" rx="3"/>',
  pot: '<rect x="18" y="32" width="44" height="28" rx="6"/><rect x="14" y="26" width="52" height="6" rx="3"/><rect x="34" y="20" width="12" height="6" rx="3"/><rect x="8" y="36" width="10" height="4" rx="2"/><rect x="62" y="36" width="10" height="4" rx="2"/>',
  bowl: '<path d="M12 36h56a28 24 0 0 1-56 0z"/><ellipse cx="40" cy="36" rx="28" ry="4" opacity=".6"/>',
  kettle: '<path d="M24 34h32l4 28H20z"/><path d="M30 34a10 10 0 0 1 20 0" fill="none" stroke-width="4"/><path d="M60 42l10-8v6l-8 10z"/><rect x="36" y="22" width="8" height="4" rx="2"/>',
  blanket: '<path d="M20 24h40v32H20z" opacity=".85"/><path d="M20 32h40M20 40h40M20 48h40" stroke="#fff" stroke-width="2" opacity=".5"/>',
  cushion: '<path d="M18 22q22 6 44 0q-6 18 0 36q-22-6-44 0q6-18 0-36z"/><circle cx="40" cy="40" r="4" fill="#fff" opacity=".5"/>',
  rug: '<rect x="14" y="20" width="52" height="40" rx="2"/><rect x="22" y="28" width="36" height="24" fill="none" stroke="#fff" stroke-width="2" opacity=".55"/><path d="M14 20v40M66 20v40" stroke-dasharray="2 2" stroke-width="4"/>',
  towel: '<rect x="16" y="16" width="48" height="5" rx="2.5"/><rect x="22" y="21" width="36" height="44" rx="2"/><path d="M22 56h36" stroke="#fff" stroke-width="3" opacity=".5"/>',
  plant: '<path d="M40 56V30" stroke-width="3" fill="none"/><ellipse cx="32" cy="30" rx="8" ry="12" transform="rotate(-30 32 30)"/><ellipse cx="48" cy="28" rx="8" ry="12" transform="rotate(30 48 28)"/><path d="M30 54h20l-3 12H33z"/>',
  cactus: '<rect x="34" y="18" width="12" height="40" rx="6"/><path d="M34 40h-8a4 4 0 0 1-4-4v-8h5v7h7zM46 34h7v-9h5v10a4 4 0 0 1-4 4h-8z"/><path d="M28 56h24l-3 12H31z"/>',
  hanging: '<path d="M40 6L26 36M40 6l14 30" stroke-width="1.5" fill="none"/><path d="M24 36h32l-4 12H28z"/><path d="M30 48c-2 8-6 12-8 20M40 48c0 8 0 14-2 22M50 48c2 8 6 12 8 18" stroke-width="3" fill="none"/>',
  vase: '<path d="M34 14h12v8c8 6 12 14 12 24 0 12-8 20-18 20s-18-8-18-20c0-10 4-18 12-24z"/><path d="M40 14V4M40 10l-6-6M40 10l6-5" stroke-width="2" fill="none"/>',
} as const;

export type Artwork = keyof typeof SHAPES;

/** The kinds of picture each department's products are drawn with. */
export const ARTWORK_BY_CATEGORY: Readonly<Record<ProductCategory, readonly Artwork[]>> = {
  lighting: ['floor-lamp', 'table-lamp', 'pendant', 'sconce', 'candle'],
  furniture: ['chair', 'table', 'stool', 'shelf', 'sofa'],
  kitchen: ['mugs', 'skillet', 'pot', 'bowl', 'kettle'],
  textiles: ['blanket', 'cushion', 'rug', 'towel'],
  plants: ['plant', 'cactus', 'hanging', 'vase'],
};

export function productArtwork(artwork: Artwork): string {
  return `<svg viewBox="0 0 80 80" aria-hidden="true" focusable="false" fill="currentColor" stroke="currentColor" stroke-width="0">${SHAPES[artwork]}</svg>`;
}

/**
 * A product's picture as an SVG document (its drawing on its tinted
 * background), for places where the page has only the product's id: the
 * edge's recommendations, which the SDK renders as names and prices.
 */
export function pictureDocument(artwork: Artwork, hue: number): string {
  const h = Number(hue) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 120"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${h} 45% 90%)"/><stop offset="1" stop-color="hsl(${h} 35% 78%)"/></linearGradient></defs><rect width="160" height="120" fill="url(#g)"/><g transform="translate(44 24) scale(0.9)" fill="hsl(${h} 35% 30%)" stroke="hsl(${h} 35% 30%)" stroke-width="0">${SHAPES[artwork]}</g></svg>`;
}
