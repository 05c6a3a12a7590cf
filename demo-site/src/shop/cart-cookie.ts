/** The cart's cookie on a request and a response. */
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { parseCart, serializeCart, type CartItem } from './cart.js';

export const CART_COOKIE = 'demo_cart';
const THIRTY_DAYS_S = 30 * 24 * 3600;

export const cartOf = (c: Context): CartItem[] => parseCart(getCookie(c, CART_COOKIE));

export function saveCart(c: Context, items: readonly CartItem[]): void {
  setCookie(c, CART_COOKIE, serializeCart(items), {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: items.length === 0 ? 0 : THIRTY_DAYS_S,
  });
}
