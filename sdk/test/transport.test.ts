import { describe, expect, it } from 'vitest';
import { fetchTransport, KEEPALIVE_BYTES } from '../src/transport/transport.js';

const URL = 'http://edge.test/v1/collect?site=demo-site-key';

/** A fetch that records what it was asked and answers 200 at once. */
function recordingFetch() {
  const inits: RequestInit[] = [];
  const fetchFn = async (_url: string | URL | Request, init?: RequestInit) => {
    inits.push(init ?? {});
    return new Response('{"accepted":1,"rejected":[],"actions":[]}', { status: 200 });
  };
  return { fetchFn: fetchFn as typeof fetch, inits };
}

describe('fetchTransport', () => {
  it('asks for keepalive only while the page is hidden (its last moments), and only for a body within the cap', async () => {
    let hidden = false;
    const { fetchFn, inits } = recordingFetch();
    const transport = fetchTransport(fetchFn, undefined, 10_000, () => hidden);
    await transport.send(URL, '{"events":[]}');
    hidden = true;
    await transport.send(URL, '{"events":[]}');
    await transport.send(URL, `{"events":["${'x'.repeat(KEEPALIVE_BYTES)}"]}`);
    expect(inits.map((init) => init.keepalive)).toEqual([false, true, false]);
    expect(inits.every((init) => init.method === 'POST' && typeof init.body === 'string' && init.headers === undefined)).toBe(true);
  });
});
