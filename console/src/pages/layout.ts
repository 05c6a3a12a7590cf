/**
 * The HTML shell every page shares: skip link, the page list, the live indicator, logout, a
 * problems notice, and the page's own body; the one client script fills it in.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type PageName = 'now' | 'sessions' | 'session' | 'experiments' | 'rules' | 'health' | 'people';

const NAV: { page: PageName; href: string; label: string }[] = [
  { page: 'now', href: '/', label: 'Now' },
  { page: 'sessions', href: '/sessions', label: 'Live sessions' },
  { page: 'experiments', href: '/experiments', label: 'Experiments' },
  { page: 'rules', href: '/rules', label: 'Rules' },
  { page: 'health', href: '/health', label: 'Health' },
  { page: 'people', href: '/people', label: 'People' },
];

export interface ShellOptions {
  page: PageName;
  title: string;
  /** Extra data-* for the client script (e.g. the followed session id). */
  data?: Record<string, string>;
  body: HtmlEscapedString | Promise<HtmlEscapedString>;
}

export function head(title: string) {
  return html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Sessionflow console</title>
<link rel="stylesheet" href="/assets/uplot.css">
<link rel="stylesheet" href="/assets/console.css">`;
}

export function shell(opts: ShellOptions) {
  const current = opts.page === 'session' ? 'sessions' : opts.page;
  const data = Object.entries(opts.data ?? {}).map(([k, v]) => html` data-${raw(k.replace(/[^a-z-]/g, ''))}="${v}"`);
  return html`<!doctype html>
<html lang="en">
<head>
${head(opts.title)}
</head>
<body data-page="${opts.page}"${data}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <div class="top-inner">
    <a class="brand" href="/">Sessionflow <span>console</span></a>
    <nav class="pages" aria-label="Console pages" data-testid="nav">
      <ul>
        ${NAV.map((n) => html`<li><a href="${n.href}"${n.page === current ? raw(' aria-current="page"') : ''}>${n.label}</a></li>`)}
      </ul>
    </nav>
    <span class="live" data-testid="live-status" data-state="connecting" role="status">Connecting…</span>
    <form method="post" action="/logout"><button type="submit" data-testid="logout">Log out</button></form>
  </div>
</header>
<main id="main" tabindex="-1">
  <h1>${opts.title}</h1>
  <div class="problems" data-testid="problems" role="status" hidden></div>
  ${opts.body}
</main>
<script src="/assets/console.js" defer></script>
</body>
</html>`;
}
