/**
 * The cart as the session sees it: units per product id, moved by the `track`
 * events `add_to_cart` and `remove_from_cart` with props `{ productId, quantity? }`.
 * Returns a new cart; the one given is never changed.
 */
import { countOf, OPEN_SESSION_LIMITS } from './open-session.js';
import { nameProp, quantityProp } from './props.js';

type Cart = Readonly<Record<string, number>>;
type Props = Readonly<Record<string, unknown>> | undefined;

/** Adds `quantity` units (1 when absent or not a positive whole number); a line holds at most 999 units. */
export function addToCart(cart: Cart, props: Props): Record<string, number> {
  const productId = nameProp(props, 'productId');
  if (productId === undefined) return { ...cart };
  const had = countOf(cart, productId);
  if (had === 0 && Object.keys(cart).length >= OPEN_SESSION_LIMITS.cartLines) return { ...cart };
  const units = Math.min(OPEN_SESSION_LIMITS.lineQuantity, had + (quantityProp(props, 'quantity') ?? 1));
  return { ...cart, [productId]: units };
}

/** Takes `quantity` units out, or the whole line when no quantity is given; an emptied line is removed. */
export function removeFromCart(cart: Cart, props: Props): Record<string, number> {
  const productId = nameProp(props, 'productId');
  if (productId === undefined || !Object.hasOwn(cart, productId)) return { ...cart };
  const { [productId]: had = 0, ...rest } = cart;
  const left = had - (quantityProp(props, 'quantity') ?? had);
  return left > 0 ? { ...rest, [productId]: left } : rest;
}

/** Units in the cart, all products together. */
export function cartUnits(cart: Cart): number {
  return Object.values(cart).reduce((sum, units) => sum + units, 0);
}
