/** Money as the shop shows it (and the catalog feed sends it): euros, from cents. */
const euros = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' });

export const CURRENCY = 'EUR';

export const formatCents = (cents: number): string => euros.format(cents / 100);

export const formatPrice = (product: { priceCents: number }): string => formatCents(product.priceCents);
