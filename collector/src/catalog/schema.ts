/**
 * The catalog feed a site pushes to `POST /v1/catalog`: its products and
 * whether each is in stock. Bounds match what events may say about a product
 * (ids and categories are names of at most 128 characters) and what the read
 * views carry back (core's RecsItem).
 */
import * as v from 'valibot';

export const MAX_CATALOG_PRODUCTS = 10_000;

const Name = v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(128, 'must be at most 128 characters'));

export const CatalogProductSchema = v.strictObject(
  {
    id: Name,
    name: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(512, 'must be at most 512 characters')),
    category: Name,
    /** Display price, already formatted for the site. */
    price: v.pipe(v.string('must be a string'), v.maxLength(32, 'must be at most 32 characters')),
    href: v.optional(v.pipe(v.string('must be a string'), v.maxLength(2048, 'must be at most 2048 characters'))),
    inStock: v.boolean('must be true or false'),
  },
  'must be an object with id, name, category, price, inStock and optional href',
);

export const CatalogFeedSchema = v.strictObject(
  {
    products: v.pipe(
      v.array(CatalogProductSchema, 'must be an array of products'),
      v.maxLength(MAX_CATALOG_PRODUCTS, `must hold at most ${MAX_CATALOG_PRODUCTS} products per request`),
      v.check((products) => new Set(products.map((p) => p.id)).size === products.length, 'must not repeat a product id'),
    ),
  },
  'must be an object with products',
);

export type CatalogProduct = v.InferOutput<typeof CatalogProductSchema>;
/** What `sf.products` carries and the store keeps: the product without its stock, which has its own topic. */
export type CatalogEntry = Omit<CatalogProduct, 'inStock'>;

export interface FieldError {
  field: string;
  reason: string;
}

export type FeedResult = { ok: true; products: CatalogProduct[] } | { ok: false; errors: FieldError[] };

export function parseCatalogFeed(input: unknown): FeedResult {
  const result = v.safeParse(CatalogFeedSchema, input);
  if (result.success) return { ok: true, products: result.output.products };
  return {
    ok: false,
    errors: result.issues.map((issue) => ({ field: v.getDotPath(issue) ?? '', reason: issue.message })),
  };
}

/** A product value read back from the topic or the store; null when it is not one (a foreign writer, an older shape). */
export function parseCatalogEntry(json: string): CatalogEntry | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  const result = v.safeParse(v.omit(CatalogProductSchema, ['inStock']), raw);
  return result.success ? result.output : null;
}
