import { describe, expect, it } from 'vitest';
import { consoleOverFake, login } from '../support/console-app.js';

describe('pages', () => {
  it.each([
    ['/', 'Now', ['stat-open-sessions', 'events-chart', 'funnel-table', 'funnel-segments']],
    ['/sessions', 'Live sessions', ['session-list', 'sessions-count']],
    ['/sessions/s-alpha', 'Session', ['session-detail']],
    ['/experiments', 'Experiments', ['experiment-list']],
    ['/rules', 'Rules', ['rules-version', 'rules-document', 'rule-fires', 'rules-error-slot']],
    ['/health', 'Health', ['lag-table', 'produce-latency', 'outbox-depth', 'decide-latency', 'degradation']],
    ['/people', 'People', ['people-search', 'people-id', 'erase-dialog', 'erase-confirm']],
  ])('%s is a page of its own, marked current in the page list, with its regions', async (path, title, testids) => {
    const { app } = consoleOverFake();
    const cookie = await login(app);
    const res = await app.request(path, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<title>${title} · Sessionflow console</title>`);
    expect(html).toMatch(/<a href="[^"]*" aria-current="page">/);
    for (const id of testids) expect(html, id).toContain(`data-testid="${id}"`);
    expect(html).toContain('<script src="/assets/console.js" defer></script>');
  });

  it('escapes what comes from the address: a session id or a looked-up id never becomes markup', async () => {
    const { app } = consoleOverFake();
    const cookie = await login(app);
    const session = await (await app.request(`/sessions/${encodeURIComponent('"><script>alert(1)</script>')}`, { headers: { cookie } })).text();
    expect(session).not.toContain('<script>alert(1)</script>');
    expect(session).toContain('data-session-id="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    const people = await (await app.request(`/people?kind=user&id=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`, { headers: { cookie } })).text();
    expect(people).not.toContain('<img src=x');
  });

  it('serves the client script, its stylesheet and uPlot\'s without a login', async () => {
    const { app } = consoleOverFake();
    for (const [path, type] of [['/assets/console.js', 'text/javascript'], ['/assets/console.css', 'text/css'], ['/assets/uplot.css', 'text/css']] as const) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toContain(type);
    }
    expect(await (await app.request('/assets/uplot.css')).text()).toContain('.uplot');
  });
});
