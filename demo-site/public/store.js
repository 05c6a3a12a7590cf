// The store's own behaviour: a cart counter, product details and the demo sign-in.
// Purchase intent is reported with `sessionflow.track`; clicks are captured by the SDK itself.

/**
 * Tells the SDK who is signed in, with the token the store's server signed for
 * this user: without it the edge links nothing. Called at sign-in and on every
 * page load of a signed-in visitor (the server renders a fresh token each time).
 */
function identify(identity) {
  window.sessionflow?.identify(identity.userId, identity.traits, { token: identity.token });
}

function showAccount(button, signedIn) {
  button.dataset.action = signedIn ? 'sign-out' : 'sign-in';
  button.textContent = signedIn ? 'Sign out' : 'Sign in';
}

const rendered = document.getElementById('sf-identity');
if (rendered) identify(JSON.parse(rendered.textContent));

async function post(path) {
  const response = await fetch(path, { method: 'POST' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message ?? `${path} answered ${response.status}`);
  return body;
}

document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
  if (button?.dataset.action === 'sign-in' || button?.dataset.action === 'sign-out') {
    const signingIn = button.dataset.action === 'sign-in';
    button.disabled = true;
    try {
      if (signingIn) identify(await post('/api/sign-in'));
      else {
        await post('/api/sign-out');
        window.sessionflow?.reset();
      }
      showAccount(button, signingIn);
    } catch (error) {
      console.error(`demo store: ${error.message}`);
    } finally {
      button.disabled = false;
    }
    return;
  }
  const card = button?.closest('[data-sf-product]');
  if (!button || !card) return;
  const productId = card.getAttribute('data-sf-product');
  if (button.dataset.action === 'view') {
    card.classList.toggle('is-open');
  } else if (button.dataset.action === 'add-to-cart') {
    const count = document.querySelector('[data-cart-count]');
    if (count) count.textContent = String(Number(count.textContent) + 1);
    window.sessionflow?.track('add_to_cart', { productId, priceCents: Number(button.dataset.priceCents) });
  }
});
