/**
 * The generated part of the catalog: names from a collection name, a material
 * and the kind of thing, a price in the kind's range, stock (a few sold out),
 * and a picture of the kind. Seeded, so every start (and the single-page app,
 * which builds the same catalog in the browser) has the same products.
 */
import { seededRandom } from '@sessionflow/core';
import { ARTWORK_BY_CATEGORY, type Artwork } from '../storefront/artwork.js';
import { CATEGORIES, type ProductCategory } from './categories.js';
import type { Product } from './products.js';
import { pick } from './random.js';

interface Kind {
  nouns: readonly string[];
  materials: readonly string[];
  /** Price range in whole euros. */
  euros: readonly [number, number];
  blurbs: readonly string[];
}

const COLLECTIONS = ['Alder', 'Birch', 'Fjord', 'Harbor', 'Linden', 'Moss', 'Nordic', 'Rowan', 'Saga', 'Tove', 'Vale', 'Juniper', 'Ember', 'Cove', 'Dune', 'Heath', 'Kestrel', 'Marlow', 'Otto', 'Wren'];

const KINDS: Readonly<Record<Artwork, Kind>> = {
  'floor-lamp': { nouns: ['Floor Lamp', 'Reading Lamp'], materials: ['Brass', 'Steel', 'Oak', 'Rattan'], euros: [89, 289], blurbs: ['A tall lamp that throws soft light into a corner.', 'Adjustable head, dimmable warm LED, weighted base.'] },
  'table-lamp': { nouns: ['Table Lamp', 'Desk Lamp'], materials: ['Ceramic', 'Linen', 'Opal Glass', 'Brass'], euros: [39, 149], blurbs: ['A small lamp for a bedside, a desk or a windowsill.', 'Hand-thrown base with a fabric shade.'] },
  pendant: { nouns: ['Pendant', 'Pendant Light'], materials: ['Paper', 'Smoked Glass', 'Copper', 'Rattan'], euros: [59, 219], blurbs: ['Hangs over a table and pools light where you eat.', 'Woven shade with a long textile cord.'] },
  sconce: { nouns: ['Wall Sconce', 'Wall Light'], materials: ['Brass', 'Plaster', 'Black Steel'], euros: [49, 159], blurbs: ['Plug-in wall light: no electrician needed.', 'Swivel arm, soft upward glow.'] },
  candle: { nouns: ['Candle Set', 'Candle Holders'], materials: ['Beeswax', 'Soy', 'Pewter', 'Brass'], euros: [14, 59], blurbs: ['Slow-burning, unscented, made in small batches.', 'A pair for the dinner table.'] },
  chair: { nouns: ['Dining Chair', 'Lounge Chair', 'Armchair'], materials: ['Oak', 'Ash', 'Walnut', 'Beech'], euros: [129, 549], blurbs: ['Steam-bent frame, woven paper cord seat.', 'Deep seat and a back that holds you.'] },
  table: { nouns: ['Side Table', 'Coffee Table', 'Dining Table'], materials: ['Oak', 'Walnut', 'Ash', 'Travertine'], euros: [149, 1290], blurbs: ['Tapered legs, oiled top, corners softened by hand.', 'Solid wood top that gets better with every mark.'] },
  stool: { nouns: ['Stool', 'Bar Stool', 'Step Stool'], materials: ['Oak', 'Birch', 'Cork'], euros: [59, 229], blurbs: ['A seat, a side table, a step: whatever the day needs.', 'Three legs, never wobbles on an old floor.'] },
  shelf: { nouns: ['Bookshelf', 'Wall Shelf', 'Shelving Unit'], materials: ['Pine', 'Oak', 'Powder-coated Steel'], euros: [79, 690], blurbs: ['Room for books, plants and the things you keep.', 'Knock-down joints, assembled in ten minutes.'] },
  sofa: { nouns: ['Sofa', 'Loveseat', 'Daybed'], materials: ['Wool', 'Linen', 'Corduroy', 'Bouclé'], euros: [690, 2490], blurbs: ['Feather-wrapped cushions with removable covers.', 'Low and deep, for long Sunday afternoons.'] },
  mugs: { nouns: ['Mug Set', 'Cups', 'Espresso Cups'], materials: ['Stoneware', 'Porcelain', 'Enamel'], euros: [18, 64], blurbs: ['Glazed by hand: no two alike.', 'Dishwasher and microwave safe.'] },
  skillet: { nouns: ['Skillet', 'Frying Pan', 'Grill Pan'], materials: ['Cast Iron', 'Carbon Steel', 'Copper'], euros: [39, 149], blurbs: ['Pre-seasoned and ready for the hob, the oven or a fire.', 'Heats evenly, lasts a lifetime.'] },
  pot: { nouns: ['Dutch Oven', 'Stock Pot', 'Casserole'], materials: ['Enamelled Iron', 'Stainless Steel', 'Clay'], euros: [59, 289], blurbs: ['Braises, soups and bread from the same pot.', 'Tight lid, wide handles, goes straight to the table.'] },
  bowl: { nouns: ['Serving Bowl', 'Salad Bowl', 'Bowl Set'], materials: ['Stoneware', 'Olive Wood', 'Porcelain'], euros: [16, 89], blurbs: ['Wide and shallow, for sharing.', 'Turned from one piece.'] },
  kettle: { nouns: ['Kettle', 'Pour-over Kettle', 'Teapot'], materials: ['Stainless Steel', 'Enamel', 'Cast Iron'], euros: [34, 139], blurbs: ['A gooseneck spout for a slow pour.', 'Works on gas, electric and induction hobs.'] },
  blanket: { nouns: ['Throw', 'Blanket', 'Bedspread'], materials: ['Merino', 'Alpaca', 'Cotton', 'Mohair'], euros: [59, 249], blurbs: ['Woven on old looms, soft from the first day.', 'Warm without weight.'] },
  cushion: { nouns: ['Cushion', 'Floor Cushion', 'Bolster'], materials: ['Linen', 'Velvet', 'Wool', 'Bouclé'], euros: [29, 119], blurbs: ['Feather filling in a removable cover.', 'Plump, washable, in colours that go with anything.'] },
  rug: { nouns: ['Rug', 'Runner', 'Kilim'], materials: ['Wool', 'Jute', 'Cotton'], euros: [89, 890], blurbs: ['Flat-woven, reversible, easy to clean.', 'Hand-knotted over weeks by one weaver.'] },
  towel: { nouns: ['Bath Towel Set', 'Hand Towels', 'Bath Sheet'], materials: ['Organic Cotton', 'Linen', 'Waffle Cotton'], euros: [24, 99], blurbs: ['Thirsty loops that dry quickly.', 'Gets softer with every wash.'] },
  plant: { nouns: ['Monstera', 'Rubber Plant', 'Olive Tree', 'Snake Plant'], materials: ['Potted', 'Large', 'Small'], euros: [19, 149], blurbs: ['Grown in the Netherlands, delivered in its nursery pot.', 'Bright, indirect light; water when the soil is dry.'] },
  cactus: { nouns: ['Cactus', 'Succulent Trio', 'Aloe'], materials: ['Desert', 'Mini', 'Tall'], euros: [9, 59], blurbs: ['Thrives on a sunny sill and a little neglect.', 'Water once a month, less in winter.'] },
  hanging: { nouns: ['Hanging Pothos', 'String of Pearls', 'Hanging Fern'], materials: ['Trailing', 'Macramé', 'Ceramic'], euros: [19, 79], blurbs: ['Trails down a shelf or hangs from the ceiling.', 'Comes with a hanger, ready to put up.'] },
  vase: { nouns: ['Vase', 'Bud Vase', 'Planter'], materials: ['Terracotta', 'Glass', 'Stoneware', 'Concrete'], euros: [14, 129], blurbs: ['Hand-made, each with its own glaze.', 'Watertight, with a drainage saucer.'] },
};

export interface GenerateOptions {
  count: number;
  /** The first product's number: ids are `sku-<number>`, counting up. */
  firstNumber: number;
  seed: number;
  /** Names already used (never given twice). */
  taken?: readonly string[];
}

/** `count` products spread evenly over the categories, in a fixed order for a seed. */
export function generateProducts({ count, firstNumber, seed, taken = [] }: GenerateOptions): Product[] {
  const random = seededRandom(seed);
  const names = new Set(taken);
  const products: Product[] = [];
  for (let i = 0; i < count; i++) {
    const category = CATEGORIES[i % CATEGORIES.length]!;
    const artwork = pick(random, ARTWORK_BY_CATEGORY[category.id]);
    const kind = KINDS[artwork];
    const name = uniqueName(names, random, kind);
    const [low, high] = kind.euros;
    // Shop prices: whole euros ending in 9, or .95 on the cheap things.
    const euros = Math.round(low + random() * (high - low));
    const priceCents = euros < 40 ? euros * 100 + 95 : Math.max(low, Math.floor(euros / 10) * 10 + 9) * 100;
    // About one in fifteen is sold out; the rest have a handful to a few dozen on hand.
    const stock = random() < 0.07 ? 0 : 1 + Math.floor(random() * 40);
    products.push({
      id: `sku-${firstNumber + i}`,
      name,
      category: category.id as ProductCategory,
      priceCents,
      blurb: pick(random, kind.blurbs),
      artwork,
      hue: (category.hue + Math.round((random() - 0.5) * 50) + 360) % 360,
      stock,
      inStock: stock > 0,
    });
  }
  return products;
}

function uniqueName(names: Set<string>, random: () => number, kind: Kind): string {
  for (let attempt = 0; ; attempt++) {
    const base = `${pick(random, COLLECTIONS)} ${pick(random, kind.materials)} ${pick(random, kind.nouns)}`;
    const name = attempt < 20 ? base : `${base} No. ${attempt}`;
    if (!names.has(name)) {
      names.add(name);
      return name;
    }
  }
}
