import { describe, expect, it } from 'vitest';
import { callEdge, collectRequest, stubCollector } from './helpers.js';
import { pageView } from './events.js';

const LIMIT = 4096;

/** A valid batch just over `bytes` long, so only its size is wrong. */
function batchOver(bytes: number): string {
  const events = [];
  while (JSON.stringify({ events }).length <= bytes) events.push(pageView());
  return JSON.stringify({ events });
}

function streamOf(text: string, chunkSize = 1000): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

describe('body size limit', () => {
  it('refuses a body over the limit, declared by Content-Length, with 413 JSON', async () => {
    const collector = stubCollector('ok');
    const body = batchOver(LIMIT);
    const res = await callEdge(collectRequest(body), { MAX_BODY_BYTES: String(LIMIT), COLLECTOR_URL: collector.url });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large', message: expect.stringContaining(String(LIMIT)) });
    expect(await collector.received()).toEqual([]);
  });

  it('refuses a streamed body over the limit that declares no Content-Length', async () => {
    const request = collectRequest(streamOf(batchOver(LIMIT)));
    expect(request.headers.get('content-length')).toBeNull();
    const res = await callEdge(request, { MAX_BODY_BYTES: String(LIMIT) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('refuses a body over the limit whose Content-Length claims it is small', async () => {
    const request = collectRequest(streamOf(batchOver(LIMIT)), { headers: { 'content-length': '100' } });
    const res = await callEdge(request, { MAX_BODY_BYTES: String(LIMIT) });
    expect(res.status).toBe(413);
  });

  it('takes a streamed body under the limit', async () => {
    const collector = stubCollector('ok');
    const res = await callEdge(collectRequest(streamOf(JSON.stringify({ events: [pageView(), pageView()] }), 7)), {
      MAX_BODY_BYTES: String(LIMIT),
      COLLECTOR_URL: collector.url,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 2 });
  });

  it('checks the size before the content type and the JSON', async () => {
    const res = await callEdge(collectRequest('x'.repeat(LIMIT + 1), { contentType: 'image/png' }), { MAX_BODY_BYTES: String(LIMIT) });
    expect(res.status).toBe(413);
  });

  it('applies the default limit of 256 KiB', async () => {
    const res = await callEdge(collectRequest(batchOver(256 * 1024)));
    expect(res.status).toBe(413);
  });
});
