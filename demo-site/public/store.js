// The server-rendered shop's behaviour: the cart, the checkout, the demo sign-in and the offer slot.
// What the shop tells Sessionflow (a product view, a search, an add to cart, a purchase) is described
// by the server, in the page (`#sf-page`) or in the cart and order answers, and sent here with
// `sessionflow.track`; clicks, scrolls and page views the SDK captures itself.

const sf = () => window.sessionflow;

/**
 * Tells the SDK who is signed in, with the token the store's server signed for
 * this user: without it the edge links nothing. Called at sign-in and on every
 * page load of a signed-in visitor (the server renders a fresh token each time).
 */
function identify(identity) {
  sf()?.identify(identity.userId, identity.traits, { token: identity.token });
}

function track(call) {
  if (Array.isArray(call)) sf()?.track(call[0], call[1]);
}

function showAccount(button, signedIn) {
  button.dataset.action = signedIn ? 'sign-out' : 'sign-in';
  button.dataset.testid = signedIn ? 'sign-out' : 'sign-in';
  button.textContent = signedIn ? 'Sign out' : 'Sign in';
}

function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : undefined;
}

const rendered = readJson('sf-identity');
if (rendered) identify(rendered);
for (const call of readJson('sf-page')?.track ?? []) track(call);

async function request(method, path, body) {
  const init = { method, headers: body === undefined ? {} : { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(answer.message ?? `${path} answered ${response.status}`);
    error.answer = answer;
    throw error;
  }
  return answer;
}

function showCart(cart) {
  const count = document.querySelector('[data-cart-count]');
  if (count) count.textContent = String(cart.units);
  for (const line of cart.lines) {
    const total = document.querySelector(`.cart-line[data-product-id="${CSS.escape(line.productId)}"] [data-line-total]`);
    if (total) total.textContent = line.lineTotal;
  }
  for (const key of ['subtotal', 'shipping', 'total']) {
    const cell = document.querySelector(`[data-summary="${key}"]`);
    if (cell) cell.textContent = cart[key];
  }
}

function say(button, message) {
  const note = button.closest('.product-detail')?.querySelector('[data-cart-note]');
  if (note) note.textContent = message;
}

async function addToCart(button) {
  const quantityInput = button.closest('.buy-row')?.querySelector('[data-quantity]');
  const quantity = quantityInput ? Math.max(1, Math.floor(Number(quantityInput.value)) || 1) : 1;
  const label = button.textContent;
  button.disabled = true;
  try {
    const answer = await request('POST', '/api/cart', { productId: button.dataset.productId, quantity });
    showCart(answer.cart);
    track(answer.track);
    button.textContent = 'Added ✓';
    say(button, `Added to your cart: ${answer.cart.units} ${answer.cart.units === 1 ? 'item' : 'items'} in it.`);
    window.setTimeout(() => (button.textContent = label), 1500);
  } catch (error) {
    say(button, error.message);
    console.error(`demo store: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

async function changeLine(productId, quantity) {
  const answer = quantity === 0 ? await request('DELETE', `/api/cart/${encodeURIComponent(productId)}`) : await request('PUT', `/api/cart/${encodeURIComponent(productId)}`, { quantity });
  track(answer.track);
  if (!answer.cart.items.some((item) => item.productId === productId)) {
    document.querySelector(`.cart-line[data-product-id="${CSS.escape(productId)}"]`)?.remove();
  }
  // The last line gone: the page of an empty cart.
  if (answer.cart.items.length === 0) window.location.reload();
  else showCart(answer.cart);
}

async function accountButton(button) {
  const signingIn = button.dataset.action === 'sign-in';
  button.disabled = true;
  try {
    if (signingIn) identify(await request('POST', '/api/sign-in'));
    else {
      await request('POST', '/api/sign-out');
      sf()?.reset();
    }
    showAccount(button, signingIn);
  } catch (error) {
    console.error(`demo store: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
  if (!button) return;
  const action = button.dataset.action;
  if (action === 'sign-in' || action === 'sign-out') accountButton(button);
  else if (action === 'add-to-cart') addToCart(button);
  else if (action === 'remove') changeLine(button.dataset.productId, 0).catch((error) => console.error(`demo store: ${error.message}`));
  else if (action === 'view') {
    const card = button.closest('[data-sf-product]');
    const open = card?.classList.toggle('is-open') ?? false;
    button.setAttribute('aria-expanded', String(open));
  } else if (action === 'dismiss-offer') button.closest('[data-sf-slot]')?.replaceChildren();
});

document.addEventListener('change', (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  if (target.matches('[data-action="set-quantity"]')) {
    const quantity = Math.max(0, Math.floor(Number(target.value)) || 0);
    changeLine(target.dataset.productId, quantity).catch((error) => console.error(`demo store: ${error.message}`));
  } else if (target.closest('[data-sort-form]')) target.closest('form').requestSubmit();
});

async function placeOrder(form) {
  const button = form.querySelector('[type="submit"]');
  const fields = Object.fromEntries(new FormData(form));
  for (const slot of form.querySelectorAll('[data-field-error]')) slot.textContent = '';
  form.querySelector('[data-form-error]').textContent = '';
  button.disabled = true;
  try {
    const answer = await request('POST', '/api/orders', fields);
    track(answer.track);
    // The purchase waits in the SDK's queue until sent; sending it now only saves the next page the work.
    await Promise.race([Promise.resolve(sf()?.flush?.()), new Promise((resolve) => window.setTimeout(resolve, 2000))]);
    window.location.assign(`/orders/${encodeURIComponent(answer.order.id)}`);
  } catch (error) {
    const wrong = error.answer?.fields ?? {};
    for (const [field, message] of Object.entries(wrong)) {
      const slot = form.querySelector(`[data-field-error="${CSS.escape(field)}"]`);
      if (slot) slot.textContent = message;
      form.querySelector(`[name="${CSS.escape(field)}"]`)?.setAttribute('aria-invalid', 'true');
    }
    form.querySelector('[data-form-error]').textContent = error.message;
    button.disabled = false;
  }
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof Element && form.matches('[data-checkout-form]')) {
    event.preventDefault();
    placeOrder(form);
  }
});

/**
 * The edge's offers (the cart-abandonment offer): the SDK renders banners and
 * recommendations itself and hands other kinds to the site. Returning true
 * tells it the offer was shown, so an exposure is counted.
 */
function renderOffer(action) {
  if (action.kind !== 'offer') return false;
  const slot = [...document.querySelectorAll('[data-sf-slot]')].find((el) => el.getAttribute('data-sf-slot') === (action.slot ?? 'offer'));
  if (!slot) return false;
  const box = document.createElement('div');
  box.className = 'offer';
  box.dataset.testid = 'offer';
  const title = document.createElement('strong');
  title.textContent = action.title ?? 'An offer for you';
  const text = document.createElement('p');
  text.textContent = action.text ?? '';
  box.append(title, text);
  if (action.href && /^https?:$/.test(new URL(action.href, document.baseURI).protocol)) {
    const cta = document.createElement('a');
    cta.className = 'button primary';
    cta.href = new URL(action.href, document.baseURI).href;
    cta.textContent = action.cta ?? 'See the offer';
    box.append(cta);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'offer-close';
  close.dataset.action = 'dismiss-offer';
  close.setAttribute('aria-label', 'Dismiss the offer');
  close.textContent = '×';
  box.append(close);
  slot.replaceChildren(box);
  return true;
}
sf()?.on?.('action', renderOffer);

/** The edge's recommendations come as names and prices: each item gets its product's picture. */
function pictureRecs() {
  for (const item of document.querySelectorAll('[data-sf-slot="recs"] .sf-item[data-sf-product]')) {
    if (item.querySelector('img')) continue;
    const img = document.createElement('img');
    img.className = 'sf-thumb';
    img.alt = '';
    img.width = 160;
    img.height = 120;
    img.src = `/pictures/${encodeURIComponent(item.getAttribute('data-sf-product'))}.svg`;
    item.prepend(img);
  }
}
if (window.MutationObserver) new window.MutationObserver(pictureRecs).observe(document.body, { childList: true, subtree: true });
