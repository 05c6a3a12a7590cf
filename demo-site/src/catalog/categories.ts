/**
 * The shop's departments. Their ids are what the edge's demo rules name
 * (core/src/rule/demo-rules.ts: a banner per category), so they stay as they are.
 */
export const CATEGORY_IDS = ['lighting', 'furniture', 'kitchen', 'textiles', 'plants'] as const;
export type ProductCategory = (typeof CATEGORY_IDS)[number];

export interface Category {
  id: ProductCategory;
  name: string;
  /** One line under the category's heading. */
  tagline: string;
  /** Background hue (0–360) of the category's tile. */
  hue: number;
}

export const CATEGORIES: readonly Category[] = [
  { id: 'lighting', name: 'Lighting', tagline: 'Warm light for long evenings: floor, table, pendant and wall lamps.', hue: 38 },
  { id: 'furniture', name: 'Furniture', tagline: 'Solid wood pieces, finished by hand, made to be handed down.', hue: 24 },
  { id: 'kitchen', name: 'Kitchen', tagline: 'Cast iron, stoneware and steel for cooking every day.', hue: 205 },
  { id: 'textiles', name: 'Textiles', tagline: 'Wool, linen and cotton, woven to soften a room.', hue: 340 },
  { id: 'plants', name: 'Plants', tagline: 'Green things that forgive a missed watering, and pots to keep them in.', hue: 120 },
];

export const categoryNamed = (id: string): Category | undefined => CATEGORIES.find((c) => c.id === id);
