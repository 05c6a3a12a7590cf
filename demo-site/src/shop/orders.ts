/**
 * Placed orders, in memory: a demo takes no payment and ships nothing, so an
 * order only has to live long enough for its confirmation page. The book keeps
 * the latest ORDER_BOOK_SIZE and forgets older ones (their pages then answer 404).
 */
import type { CartSummary } from './cart.js';
import type { Contact } from './checkout-form.js';

export interface OrderItem {
  productId: string;
  name: string;
  quantity: number;
  priceCents: number;
}

export interface Order {
  id: string;
  placedAt: number;
  items: OrderItem[];
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
  /** Who it goes to: only the name and city are shown back. */
  name: string;
  city: string;
}

export const ORDER_BOOK_SIZE = 1000;

export class OrderBook {
  private readonly orders = new Map<string, Order>();

  constructor(private readonly newId: () => string, private readonly now: () => number = Date.now) {}

  place(summary: CartSummary, contact: Contact): Order {
    const order: Order = {
      id: this.newId(),
      placedAt: this.now(),
      items: summary.lines.map((l) => ({ productId: l.product.id, name: l.product.name, quantity: l.quantity, priceCents: l.product.priceCents })),
      subtotalCents: summary.subtotalCents,
      shippingCents: summary.shippingCents,
      totalCents: summary.totalCents,
      name: contact.name,
      city: contact.city,
    };
    this.orders.set(order.id, order);
    // A Map iterates in insertion order: the first key is the oldest order.
    if (this.orders.size > ORDER_BOOK_SIZE) this.orders.delete(this.orders.keys().next().value!);
    return order;
  }

  get(id: string): Order | undefined {
    return this.orders.get(id);
  }
}
