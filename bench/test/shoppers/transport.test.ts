import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedOf, actionsOf, deviceOf, identityOf, idsOf, nodeTransport, type CollectAnswer } from '../../src/shoppers/transport.js';

const device = { origin: 'http://shop.test', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36', clientIp: '198.18.0.7' };
const body = JSON.stringify({ events: [{ eventId: 'e1', anonymousId: 'dev-1' }, { eventId: 'e2', anonymousId: 'dev-1' }, { eventId: 'e3', anonymousId: 'dev-1' }], sentAt: 1 });

describe('nodeTransport', () => {
  const seen: http.IncomingHttpHeaders[] = [];
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => {
        if (req.url === '/hang') return; // never answers
        if (req.url === '/busy') {
          res.writeHead(503, { 'retry-after': '3', 'content-type': 'application/json' });
          return res.end('{"error":"collector_unavailable"}');
        }
        res.writeHead(200, { 'content-type': 'application/json', 'x-sf-level': 'live_only', 'x-sf-level-reason': 'upstream:pipeline' });
        res.end(JSON.stringify({ accepted: 2, rejected: [{ index: 1, errors: [] }], actions: [{ id: 'a' }], identity: { verified: false, reason: 'expired' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const send = async (path: string, timeoutMs = 5_000) => {
    const answers: CollectAnswer[] = [];
    const agent = new http.Agent({ keepAlive: true });
    const transport = nodeTransport(agent, device, timeoutMs, (a) => answers.push(a));
    try {
      const response = await transport.send(`${base}${path}`, body).catch((error: Error) => error);
      return { response, answer: answers[0]! };
    } finally {
      agent.destroy();
    }
  };

  it('posts as the SDK does, with the browser and device headers, and reads the level the edge decided at', async () => {
    const { response, answer } = await send('/v1/collect?site=k');
    expect(seen[seen.length - 1]).toMatchObject({ 'content-type': 'text/plain;charset=UTF-8', origin: device.origin, 'user-agent': device.userAgent, 'cf-connecting-ip': device.clientIp });
    expect(response).toMatchObject({ status: 200, retryAfter: null, body: { accepted: 2 } });
    expect(answer).toMatchObject({ status: 200, level: 'live_only', levelReason: 'upstream:pipeline', eventIds: ['e1', 'e2', 'e3'], anonymousId: 'dev-1', acceptedIds: ['e1', 'e3'], actions: 1, identity: 'not verified: expired' });
  });

  it('hands Retry-After to the SDK and accepts nothing on a refusal', async () => {
    const { response, answer } = await send('/busy');
    expect(response).toMatchObject({ status: 503, retryAfter: '3' });
    expect(answer).toMatchObject({ status: 503, retryAfter: '3', acceptedIds: [], level: undefined });
  });

  it('fails like a network error when no answer comes in time, and says so', async () => {
    const { response, answer } = await send('/hang', 100);
    expect(response).toBeInstanceOf(Error);
    expect(answer).toMatchObject({ status: 0, failure: 'timeout', eventIds: ['e1', 'e2', 'e3'], acceptedIds: [] });
  });
});

describe('reading a batch and its answer', () => {
  it('takes the ids of a batch, and those accepted: all but the rejected indexes', () => {
    expect(idsOf(body)).toEqual(['e1', 'e2', 'e3']);
    expect(deviceOf(body)).toBe('dev-1');
    expect(deviceOf(JSON.stringify({ events: [] }))).toBeUndefined();
    expect(acceptedOf(['e1', 'e2', 'e3'], { rejected: [{ index: 0 }, { index: 2 }] })).toEqual(['e2']);
    expect(acceptedOf(['e1'], undefined)).toEqual(['e1']);
  });

  it('counts decisions and reads the identity verdict', () => {
    expect(actionsOf({ actions: [1, 2] })).toBe(2);
    expect(actionsOf({})).toBe(0);
    expect(identityOf({ identity: { verified: true, userId: 'u' } })).toBe('verified');
    expect(identityOf({})).toBeUndefined();
  });
});
