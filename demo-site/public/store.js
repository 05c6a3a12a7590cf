// The store's own behaviour: a cart counter and product details. Purchases of
// intent are reported with `sessionflow.track`; clicks are captured by the SDK itself.
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
  if (button?.dataset.action === 'sign-in') {
    // A demo login: the SDK links this browser's anonymous id to the user.
    window.sessionflow?.identify('demo-user-1', { plan: 'demo' });
    button.dataset.action = 'sign-out';
    button.textContent = 'Sign out';
    return;
  }
  if (button?.dataset.action === 'sign-out') {
    window.sessionflow?.reset();
    button.dataset.action = 'sign-in';
    button.textContent = 'Sign in';
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
