/**
 * No raw user id or anonymous id in any log line of the edge (erasure reaches
 * the logs too): a visitor's lines name it by a short hash, a user not at all.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logId } from '../src/log-id.js';
import { newVisitor, visitorEvent } from './events.js';
import { callEdge, collectRequest, eventually, identifyToken, relayedEvents, stubCollector } from './helpers.js';

const USER = 'user-who-must-not-be-logged';
let lines: string[] = [];

beforeEach(() => {
  lines = [];
  for (const method of ['error', 'warn', 'log', 'info', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack ?? ''}` : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    });
  }
});

afterEach(() => vi.restoreAllMocks());

describe('edge log lines', () => {
  it('hold neither the visitor\'s anonymous id nor the user id when relays and reads fail', async () => {
    const collector = stubCollector('fail');
    await collector.serveReads({ status: 500 });
    const visitor = newVisitor();
    const event = (type: string, extra: Record<string, unknown> = {}) => visitorEvent(visitor, type, Date.now(), extra);
    const token = await identifyToken({ sub: 'someone-else' });
    const res = await callEdge(collectRequest(JSON.stringify({ events: [event('identify', { userId: USER, token }), event('page_view', { userId: USER })] })), { COLLECTOR_URL: collector.url });
    expect(res.status).toBe(200);
    await eventually(collector.reads, (reads) => reads.some((read) => read.path.startsWith('/v1/profile/')), 10_000);
    await eventually(async () => lines, (captured) => captured.some((line) => line.includes('relay of')), 10_000);
    for (const line of lines) {
      expect(line).not.toContain(visitor);
      expect(line).not.toContain(USER);
      expect(line).not.toContain(token);
    }
  });

  it('name a visitor whose object failed by a short hash, and relay its events directly with no unverified user id', async () => {
    const collector = stubCollector('ok');
    const visitor = newVisitor();
    const failing = {
      idFromName: (name: string) => name,
      get: () => ({ visit: () => Promise.reject(new Error('object unavailable')) }),
    } as unknown as DurableObjectNamespace<import('../src/visitor/visitor-do.js').VisitorDO>;
    const res = await callEdge(collectRequest(JSON.stringify({ events: [visitorEvent(visitor, 'page_view', Date.now(), { userId: USER })] })), {
      COLLECTOR_URL: collector.url,
      VISITOR: failing,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, identity: { verified: false, reason: 'not_verified' } });
    const relayed = await eventually(async () => relayedEvents(await collector.received()) as { userId?: string }[], (events) => events.length === 1, 10_000);
    expect(relayed[0]).not.toHaveProperty('userId');
    const failure = lines.find((line) => line.includes('its object failed'));
    expect(failure).toContain(logId(visitor));
    expect(lines.join('\n')).not.toContain(visitor);
  });
});
