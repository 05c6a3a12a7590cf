/**
 * The erasure's call to the edge (src/erasure/edge.ts): chunks the edge takes,
 * the request it expects, and a failure for anything but its 200 answer.
 */
import { describe, expect, it } from 'vitest';
import { EDGE_ERASE_CHUNK, EdgeUnavailableError, edgeEraseChunks, edgeEraser, edgeEraseRequest, readEdgeAnswer } from '../../src/erasure/edge.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `anon-${String(i).padStart(4, '0')}`);

describe('edgeEraseChunks', () => {
  it('cuts the devices into requests of at most EDGE_ERASE_CHUNK, each device once', () => {
    const chunks = edgeEraseChunks([...ids(250), 'anon-0003']);
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunks.flat()).toEqual(ids(250));
    expect(EDGE_ERASE_CHUNK).toBeLessThanOrEqual(1000);
    expect(edgeEraseChunks([])).toEqual([]);
  });

  it('leaves out ids the edge could never have named an object by, which would sink the whole request', () => {
    expect(edgeEraseChunks(['anon-good-1', 'short', 'has space in it', 'x'.repeat(65), 'anon-good-2'])).toEqual([['anon-good-1', 'anon-good-2']]);
  });
});

describe('edgeEraseRequest', () => {
  it('posts the ids to /v1/admin/erase with the edge admin secret', () => {
    const { url, init } = edgeEraseRequest('https://edge.example.com/', 'edge-admin-secret', ['anon-aaaa1', 'anon-bbbb2']);
    expect(url).toBe('https://edge.example.com/v1/admin/erase');
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ authorization: 'Bearer edge-admin-secret', 'content-type': 'application/json' });
    expect(JSON.parse(init.body as string)).toEqual({ anonymousIds: ['anon-aaaa1', 'anon-bbbb2'] });
  });
});

describe('readEdgeAnswer', () => {
  it('reads how many objects the edge erased', () => {
    expect(readEdgeAnswer(200, { erased: 3 })).toBe(3);
    expect(readEdgeAnswer(200, { erased: 0 })).toBe(0);
  });

  it('fails on anything else, naming the secret when the edge refused it', () => {
    expect(() => readEdgeAnswer(503, { error: 'decisions_unavailable' })).toThrow(EdgeUnavailableError);
    expect(() => readEdgeAnswer(503, { error: 'decisions_unavailable' })).toThrow(/503 decisions_unavailable/);
    expect(() => readEdgeAnswer(401, { error: 'unauthorized' })).toThrow(/EDGE_ADMIN_SECRET/);
    expect(() => readEdgeAnswer(403, { error: 'wrong_scope' })).toThrow(/EDGE_ADMIN_SECRET/);
    expect(() => readEdgeAnswer(429, undefined)).toThrow(/429/);
    expect(() => readEdgeAnswer(200, { erased: 'all' })).toThrow(EdgeUnavailableError);
    expect(() => readEdgeAnswer(200, undefined)).toThrow(EdgeUnavailableError);
  });
});

describe('edgeEraser', () => {
  it('sends every chunk and adds up what the edge erased', async () => {
    const bodies: unknown[] = [];
    const eraser = edgeEraser({
      edgeUrl: 'http://edge.test',
      secret: 's',
      fetch: async (_url, init) => {
        const body = JSON.parse(String(init?.body)) as { anonymousIds: string[] };
        bodies.push(body);
        return Response.json({ erased: body.anonymousIds.length * 2 });
      },
    });
    expect(await eraser.erase(ids(150))).toEqual({ requests: 2, objectsErased: 300 });
    expect(bodies).toEqual([{ anonymousIds: ids(100) }, { anonymousIds: ids(150).slice(100) }]);
  });

  it('fails as unavailable, with a time to retry after, when the edge cannot be reached or answers an error', async () => {
    const unreachable = edgeEraser({ edgeUrl: 'http://edge.test', secret: 's', fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    const error = await unreachable.erase(ids(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EdgeUnavailableError);
    expect((error as EdgeUnavailableError).message).toMatch(/http:\/\/edge\.test could not be reached \(fetch failed\)/);
    expect((error as EdgeUnavailableError).retryAfterSeconds).toBeGreaterThan(0);

    let calls = 0;
    const failingSecond = edgeEraser({ edgeUrl: 'http://edge.test', secret: 's', fetch: async () => (++calls === 1 ? Response.json({ erased: 1 }) : Response.json({ error: 'internal' }, { status: 500 })) });
    await expect(failingSecond.erase(ids(101))).rejects.toThrow(/500 internal/);
  });

  it('asks nothing of the edge for no device', async () => {
    const eraser = edgeEraser({ edgeUrl: 'http://edge.test', secret: 's', fetch: async () => Promise.reject(new Error('must not be called')) });
    expect(await eraser.erase([])).toEqual({ requests: 0, objectsErased: 0 });
  });
});
