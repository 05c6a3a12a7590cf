/**
 * `DELETE /v1/users/:userId` through app.request, the erasure faked: the id
 * checked by the schema's rule, what the answer says (the edge included), the
 * failures a caller retries, and log lines that name the erasure by its mark.
 */
import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { createCollectorApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { createCollectorMetrics } from '../../src/metrics.js';
import { EDGE_NOT_CONFIGURED, EdgeUnavailableError } from '../../src/erasure/edge.js';
import type { ErasureResult } from '../../src/erasure/erase-user.js';
import type { ErasureRouteDeps } from '../../src/erasure/route.js';
import { ADMIN_SECRET, FakeProbe, FakeSink, NOW, SECRET } from '../fakes.js';

const USER = 'user-1@example.com';
const MARK = 'f'.repeat(64);
const result: ErasureResult = {
  userId: USER,
  mark: MARK,
  erasedAt: NOW,
  anonymousIds: ['anon-aaaaaaaa'],
  redisKeysRemoved: 7,
  tombstones: { profiles: [`u:${USER}`, 'a:anon-aaaaaaaa'], identity: ['anon-aaaaaaaa'], sessions: ['session-1'] },
  edge: { reached: true, devices: 1, requests: 1, objectsErased: 1 },
};

function setup(erase: ((id: string) => Promise<ErasureResult>) | undefined) {
  const lines: string[] = [];
  const calls: string[] = [];
  const erasure: ErasureRouteDeps['erasure'] =
    erase === undefined
      ? undefined
      : {
          erase: (id) => {
            calls.push(id);
            return erase(id);
          },
          markOf: () => MARK,
        };
  const app = createCollectorApp({
    config: { relaySecret: SECRET, readSecret: 'read-secret', catalogSecret: 'catalog-secret', adminSecret: ADMIN_SECRET, bodyLimitBytes: 1024, produceTimeoutMs: 5_000 },
    topics: topicNames('t'),
    sink: new FakeSink(),
    readiness: new FakeProbe(),
    erasure,
    metrics: createCollectorMetrics({ defaultMetrics: false }),
    now: () => NOW,
    logger: createLogger('info', (line) => lines.push(line)),
  });
  return { app, lines, calls };
}

const del = (app: ReturnType<typeof setup>['app'], path: string) => app.request(path, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_SECRET}` } });

describe('DELETE /v1/users/:userId', () => {
  it('erases with the admin secret and answers 202 with what was removed and what the edge erased', async () => {
    const { app, calls } = setup(async () => result);
    const response = await del(app, `/v1/users/${encodeURIComponent(USER)}`);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual(result);
    expect(calls).toEqual([USER]);
  });

  it('says plainly when the edge was not asked because EDGE_URL is not set', async () => {
    const { app } = setup(async () => ({ ...result, edge: EDGE_NOT_CONFIGURED }));
    const body = (await (await del(app, `/v1/users/${USER}`)).json()) as ErasureResult;
    expect(body.edge).toEqual({ reached: false, reason: expect.stringMatching(/^EDGE_URL is not set: the visitor objects .* were not erased/) });
  });

  it("checks the id with the schema's user id rule, naming userId", async () => {
    for (const bad of ['has space', 'x'.repeat(129), 'sem;colon', '{curly}']) {
      const { app, calls } = setup(async () => result);
      const response = await del(app, `/v1/users/${encodeURIComponent(bad)}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_query', field: 'userId', message: expect.stringMatching(/^userId: /) });
      expect(calls).toEqual([]);
    }
  });

  it('refuses without the secret, and answers 503 without a store', async () => {
    const { app } = setup(async () => result);
    expect((await app.request(`/v1/users/${USER}`, { method: 'DELETE' })).status).toBe(401);
    const none = await del(setup(undefined).app, `/v1/users/${USER}`);
    expect(none.status).toBe(503);
    expect(((await none.json()) as { error: string }).error).toBe('read_store_unavailable');
  });

  it('answers 503 with Retry-After when the edge cannot be reached, saying nothing else was erased yet', async () => {
    const { app } = setup(async () => {
      throw new EdgeUnavailableError('http://edge.test could not be reached (fetch failed)');
    });
    const response = await del(app, `/v1/users/${USER}`);
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await response.json()).toMatchObject({ error: 'edge_unavailable', message: expect.stringMatching(/could not be reached.*nothing else was erased yet: retry/) });
  });

  it('answers 503 with Retry-After when the erasure did not complete, for a retry to finish it', async () => {
    const { app } = setup(async () => {
      throw new Error('Kafka did not acknowledge');
    });
    const response = await del(app, `/v1/users/${USER}`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).not.toBeNull();
    expect(((await response.json()) as { message: string }).message).toMatch(/Kafka did not acknowledge/);
  });

  it('logs the erasure by its mark, never by the id, whether it succeeds or fails', async () => {
    const ok = setup(async () => result);
    await del(ok.app, `/v1/users/${encodeURIComponent(USER)}`);
    const failing = setup(async () => {
      throw new EdgeUnavailableError('it answered 502');
    });
    await del(failing.app, `/v1/users/${encodeURIComponent(USER)}`);
    const lines = [...ok.lines, ...failing.lines];
    expect(lines.some((line) => line.includes('user erased') && line.includes(MARK))).toBe(true);
    expect(lines.some((line) => line.includes('erasure stopped') && line.includes(MARK))).toBe(true);
    for (const line of lines) for (const id of [USER, 'anon-aaaaaaaa', 'session-1']) expect(line).not.toContain(id);
  });
});
