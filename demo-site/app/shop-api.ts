/** The shop's JSON API (demo-site/src/shop/api.ts) as the app calls it; a refusal throws with the server's message. */
import type { CartView } from '../src/shop/api.js';
import type { Order } from '../src/shop/orders.js';
import type { TrackCall } from '../src/storefront/tracking.js';

export type { CartView };

export class ShopApiError extends Error {
  constructor(message: string, readonly fields: Record<string, string>) {
    super(message);
    this.name = 'ShopApiError';
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const answer = (await response.json().catch(() => ({}))) as { message?: string; fields?: Record<string, string> };
  if (!response.ok) throw new ShopApiError(answer.message ?? `${method} ${path} answered ${response.status}`, answer.fields ?? {});
  return answer as T;
}

type CartAnswer = { cart: CartView; track?: TrackCall };

export const shopApi = {
  cart: () => request<{ cart: CartView }>('GET', '/api/cart'),
  add: (productId: string, quantity: number) => request<CartAnswer>('POST', '/api/cart', { productId, quantity }),
  setQuantity: (productId: string, quantity: number) =>
    quantity === 0 ? request<CartAnswer>('DELETE', `/api/cart/${encodeURIComponent(productId)}`) : request<CartAnswer>('PUT', `/api/cart/${encodeURIComponent(productId)}`, { quantity }),
  placeOrder: (fields: Record<string, string>) => request<{ order: Order; track: TrackCall }>('POST', '/api/orders', fields),
  order: (orderId: string) => request<{ order: Order }>('GET', `/api/orders/${encodeURIComponent(orderId)}`),
  signIn: () => request<{ userId: string; traits: Record<string, string>; token: string }>('POST', '/api/sign-in'),
  signOut: () => request<{ signedOut: true }>('POST', '/api/sign-out'),
};
