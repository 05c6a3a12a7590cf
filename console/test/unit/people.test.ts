import { describe, expect, it } from 'vitest';
import { consoleOverFake, login } from '../support/console-app.js';
import { ADMIN_SECRET } from '../support/fake-collector.js';

describe('people', () => {
  it('answers a user\'s profile and recommendations, and 404s into a null profile', async () => {
    const { app } = consoleOverFake();
    const cookie = await login(app);
    const found = (await (await app.request('/api/people/user/user-42', { headers: { cookie } })).json()) as { profile: { anonymousIds: string[] }; recs: { items: unknown[] } };
    expect(found.profile.anonymousIds).toEqual(['anon-s-beta', 'anon-laptop-9']);
    expect(found.recs.items).toHaveLength(1);
    const missing = (await (await app.request('/api/people/device/nobody', { headers: { cookie } })).json()) as { profile: unknown; problems: string[] };
    expect(missing.profile).toBeNull();
    expect(missing.problems).toEqual([]);
    const bad = await app.request('/api/people/team/x', { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'kind' });
  });

  it('erases a user through the collector with the admin secret', async () => {
    const { app, state } = consoleOverFake();
    const cookie = await login(app);
    const res = await app.request('/api/people/user/user-42/erase', { method: 'POST', headers: { cookie, 'content-type': 'application/json', origin: 'http://localhost' }, body: '{}' });
    expect(res.status).toBe(200);
    expect(state.erased).toEqual(['user-42']);
    const call = state.requests.find((r) => r.method === 'DELETE');
    expect(call).toEqual({ method: 'DELETE', path: '/v1/users/user-42', authorization: `Bearer ${ADMIN_SECRET}` });
    const after = (await (await app.request('/api/people/user/user-42', { headers: { cookie } })).json()) as { profile: unknown };
    expect(after.profile).toBeNull();
  });
});
