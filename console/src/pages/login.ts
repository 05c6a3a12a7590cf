/** The login page: the admin secret in one password field. */
import { html } from 'hono/html';
import { head } from './layout.js';

export function loginPage(opts: { next: string; error?: string }) {
  return html`<!doctype html>
<html lang="en">
<head>
${head('Log in')}
</head>
<body>
<main id="main" class="login">
  <div class="panel">
    <h1>Sessionflow <span class="accent">console</span></h1>
    <p class="muted">Log in with the collector's admin secret (<code>ADMIN_SECRET</code>; <code>npm start</code> prints it).</p>
    <form method="post" action="/login" data-testid="login-form">
      <input type="hidden" name="next" value="${opts.next}">
      <label for="secret">Admin secret
        <input id="secret" name="secret" type="password" autocomplete="current-password" required autofocus data-testid="login-secret"${opts.error ? html` aria-invalid="true" aria-describedby="login-error"` : ''}>
      </label>
      ${opts.error ? html`<p id="login-error" class="error" role="alert" data-testid="login-error">${opts.error}</p>` : ''}
      <button class="primary" type="submit" data-testid="login-submit">Log in</button>
    </form>
  </div>
</main>
</body>
</html>`;
}
