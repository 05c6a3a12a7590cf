/**
 * Product views: a click on a product (the page declared it with
 * `data-sf-product`) or a `product_view` track. They feed category intent and
 * the "recently viewed" list recommendations start from.
 */
import type { ProductRef } from '../event/schema.js';
import { countOf, OPEN_SESSION_LIMITS, type OpenSession, type ViewedProduct } from './open-session.js';

type ProductViews = Pick<OpenSession, 'productViews' | 'productsViewed' | 'categoryViews'>;

/** Counts the view, moves the product to the end of the viewed list (keeping its known category) and counts its category. */
export function viewProduct(session: ProductViews, product: Pick<ProductRef, 'id' | 'category'>, nowMs: number): ProductViews {
  const earlier = session.productsViewed.find((p) => p.id === product.id);
  const category = product.category ?? earlier?.category;
  const viewed: ViewedProduct = category === undefined ? { id: product.id, at: nowMs } : { id: product.id, category, at: nowMs };
  const others = session.productsViewed.filter((p) => p.id !== product.id);
  return {
    productViews: session.productViews + 1,
    productsViewed: [...others, viewed].slice(-OPEN_SESSION_LIMITS.productsViewed),
    categoryViews: category === undefined ? session.categoryViews : countCategory(session.categoryViews, category),
  };
}

function countCategory(views: Readonly<Record<string, number>>, category: string): Record<string, number> {
  const known = Object.hasOwn(views, category);
  if (!known && Object.keys(views).length >= OPEN_SESSION_LIMITS.categories) return { ...views };
  return { ...views, [category]: countOf(views, category) + 1 };
}
