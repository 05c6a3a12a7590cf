/** The checkout form's fields, checked on the server; each refusal names its field. */

export const CHECKOUT_FIELDS = ['name', 'email', 'address', 'postcode', 'city', 'country'] as const;
export type CheckoutField = (typeof CHECKOUT_FIELDS)[number];
export type Contact = Record<CheckoutField, string>;

export const CHECKOUT_LABELS: Readonly<Record<CheckoutField, string>> = {
  name: 'Full name',
  email: 'Email',
  address: 'Street and number',
  postcode: 'Postcode',
  city: 'City',
  country: 'Country',
};

const MAX_LENGTH = 200;

export type CheckoutResult = { ok: true; contact: Contact } | { ok: false; errors: Partial<Record<CheckoutField, string>> };

export function readCheckout(input: Record<string, unknown>): CheckoutResult {
  const contact = {} as Contact;
  const errors: Partial<Record<CheckoutField, string>> = {};
  for (const field of CHECKOUT_FIELDS) {
    const raw = input[field];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value === '') errors[field] = `${CHECKOUT_LABELS[field]} is required`;
    else if (value.length > MAX_LENGTH) errors[field] = `${CHECKOUT_LABELS[field]} must be at most ${MAX_LENGTH} characters`;
    else if (field === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) errors[field] = 'Email must be an address like name@example.com';
    contact[field] = value;
  }
  return Object.keys(errors).length === 0 ? { ok: true, contact } : { ok: false, errors };
}
