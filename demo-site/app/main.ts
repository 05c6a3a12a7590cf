/**
 * The shop as a single-page app: the SDK imported from npm (`@sessionflow/sdk`,
 * its ESM build, bundled here by rollup), routes through the History API (see
 * router.ts), and the same cart, checkout and sign-in as the server-rendered
 * shop, through the shop's JSON API. The server renders the first page; from
 * then on the app renders in place.
 */
import { flush, identify, init, on, reset, track as sendTrack } from '@sessionflow/sdk';
import type { TrackCall } from '../src/storefront/tracking.js';
import { renderOffer } from './offer.js';
import { pictureRecs } from './pictures.js';
import { startRouter } from './router.js';
import { ShopApiError, shopApi, type CartView } from './shop-api.js';

const json = <T>(id: string): T | undefined => {
  const element = document.getElementById(id);
  return element?.textContent ? (JSON.parse(element.textContent) as T) : undefined;
};

const track = (call: TrackCall | undefined) => call && sendTrack(call[0], call[1]);

const config = json<{ siteKey: string; endpoint: string }>('sf-config');
if (config === undefined) throw new Error('demo app: the page has no #sf-config (siteKey, endpoint)');
on('action', (action) => renderOffer(document, action));
init({ siteKey: config.siteKey, endpoint: config.endpoint });

// Who is signed in: the server renders a fresh token into every page it serves.
const identity = json<{ userId: string; traits: Record<string, string>; token: string }>('sf-identity');
if (identity) identify(identity.userId, identity.traits, { token: identity.token });
for (const call of json<{ track: TrackCall[] }>('sf-page')?.track ?? []) track(call);

function showCart(cart: Pick<CartView, 'units'>): void {
  const count = document.querySelector('[data-cart-count]');
  if (count) count.textContent = String(cart.units);
}

const router = startRouter({ track, showCart });
pictureRecs(document);

async function addToCart(button: HTMLButtonElement): Promise<void> {
  const input = button.closest('.buy-row')?.querySelector<HTMLInputElement>('[data-quantity]');
  const quantity = input ? Math.max(1, Math.floor(Number(input.value)) || 1) : 1;
  const note = button.closest('.product-detail')?.querySelector('[data-cart-note]');
  const label = button.textContent;
  button.disabled = true;
  try {
    const answer = await shopApi.add(button.dataset['productId']!, quantity);
    showCart(answer.cart);
    track(answer.track);
    button.textContent = 'Added ✓';
    if (note) note.textContent = `Added to your cart: ${answer.cart.units} ${answer.cart.units === 1 ? 'item' : 'items'} in it.`;
    setTimeout(() => (button.textContent = label), 1500);
  } catch (error) {
    if (note) note.textContent = (error as Error).message;
  } finally {
    button.disabled = false;
  }
}

async function changeLine(productId: string, quantity: number): Promise<void> {
  const answer = await shopApi.setQuantity(productId, quantity);
  track(answer.track);
  await router.refresh();
}

async function account(button: HTMLButtonElement): Promise<void> {
  const signingIn = button.dataset['action'] === 'sign-in';
  button.disabled = true;
  try {
    if (signingIn) {
      const who = await shopApi.signIn();
      identify(who.userId, who.traits, { token: who.token });
    } else {
      await shopApi.signOut();
      reset();
    }
    button.dataset['action'] = signingIn ? 'sign-out' : 'sign-in';
    button.dataset['testid'] = signingIn ? 'sign-out' : 'sign-in';
    button.textContent = signingIn ? 'Sign out' : 'Sign in';
  } catch (error) {
    console.error(`demo app: ${(error as Error).message}`);
  } finally {
    button.disabled = false;
  }
}

async function placeOrder(form: HTMLFormElement): Promise<void> {
  const submit = form.querySelector<HTMLButtonElement>('[type="submit"]')!;
  const fields = Object.fromEntries(Array.from(new FormData(form), ([key, value]) => [key, String(value)]));
  form.querySelectorAll('[data-field-error]').forEach((slot) => (slot.textContent = ''));
  form.querySelectorAll('[aria-invalid]').forEach((field) => field.removeAttribute('aria-invalid'));
  const formError = form.querySelector('[data-form-error]')!;
  formError.textContent = '';
  submit.disabled = true;
  try {
    const { order, track: purchase } = await shopApi.placeOrder(fields);
    track(purchase);
    showCart({ units: 0 });
    await router.go(`/app/orders/${encodeURIComponent(order.id)}`, { order });
    // Nothing is lost without it (the SDK's queue keeps the purchase until the edge took it); it only goes sooner.
    void flush();
  } catch (error) {
    const fields = error instanceof ShopApiError ? error.fields : {};
    for (const [field, message] of Object.entries(fields)) {
      const slot = form.querySelector(`[data-field-error="${CSS.escape(field)}"]`);
      if (slot) slot.textContent = message;
      form.querySelector(`[name="${CSS.escape(field)}"]`)?.setAttribute('aria-invalid', 'true');
    }
    formError.textContent = (error as Error).message;
    submit.disabled = false;
  }
}

document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>('button[data-action]') : null;
  if (!button) return;
  const action = button.dataset['action'];
  if (action === 'sign-in' || action === 'sign-out') void account(button);
  else if (action === 'add-to-cart') void addToCart(button);
  else if (action === 'remove') void changeLine(button.dataset['productId']!, 0);
  else if (action === 'view') {
    const open = button.closest('[data-sf-product]')?.classList.toggle('is-open') ?? false;
    button.setAttribute('aria-expanded', String(open));
  } else if (action === 'dismiss-offer') button.closest('[data-sf-slot]')?.replaceChildren();
});

document.addEventListener('change', (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.dataset['action'] === 'set-quantity') {
    void changeLine(target.dataset['productId']!, Math.max(0, Math.floor(Number(target.value)) || 0));
  } else if (target instanceof HTMLSelectElement && target.form?.matches('[data-sort-form]')) target.form.requestSubmit();
});

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.matches('[data-checkout-form]')) {
    event.preventDefault();
    void placeOrder(form);
  }
});

// For tests and curious readers: the app has taken over the page.
document.documentElement.dataset['app'] = 'ready';
