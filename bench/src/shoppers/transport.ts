/**
 * The SDK's `Transport` for a simulated browser in Node: `POST /v1/collect`
 * as the SDK's fetch transport sends it (the batch as a `text/plain` string,
 * no preflight; sdk/src/transport/transport.ts), with what the browser adds
 * (its Origin, its user agent) and the device's own `CF-Connecting-IP` (an
 * address of the benchmarking range, so the edge's per-client limit counts
 * each device apart, as it counts browsers). A request not answered within
 * `timeoutMs` is aborted and fails like a network error, as the SDK's does.
 *
 * Every answer is reported to `observe`, timed from the send to the last
 * byte, with the degradation level the edge says it decided at
 * (`x-sf-level`; absent where the edge does not send it) and which event ids
 * it accepted (200: all but those it listed as rejected, by index).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Transport } from './sdk-delivery.js';

export const LEVEL_HEADER = 'x-sf-level';
export const LEVEL_REASON_HEADER = 'x-sf-level-reason';

export interface CollectAnswer {
  /** performance.now() when the request was sent. */
  sentAt: number;
  latencyMs: number;
  /** 0 when no answer came (a network error or the timeout). */
  status: number;
  /** Why there was no answer. */
  failure?: 'timeout' | 'network';
  /** `x-sf-level` as sent, undefined when absent. */
  level: string | undefined;
  levelReason: string | undefined;
  retryAfter: string | undefined;
  eventIds: string[];
  /** The device the batch is of (its events' anonymous id): whose visitor object holds what the edge accepted. */
  anonymousId: string | undefined;
  /** The ids the edge accepted (only on 200). */
  acceptedIds: string[];
  /** Decisions in a 200 answer (its `actions`). */
  actions: number;
  /** The edge's verdict on an identify in the batch: `verified`, or the reason it was not. */
  identity: string | undefined;
  /** The start of the body of an answer other than 200, or the error of a failed request: what the refusal said. */
  said?: string;
}

export interface DeviceHeaders {
  origin: string;
  userAgent: string;
  clientIp: string;
}

/** `stopping`: aborted when the load closes, so requests still waiting for one of the agent's sockets never go out. */
export function nodeTransport(agent: http.Agent, device: DeviceHeaders, timeoutMs: number, observe: (answer: CollectAnswer) => void, stopping?: AbortSignal): Transport {
  return {
    send: (url, body) =>
      new Promise((resolve, reject) => {
        const eventIds = idsOf(body);
        const anonymousId = deviceOf(body);
        const sentAt = performance.now();
        const report = (a: Omit<CollectAnswer, 'sentAt' | 'latencyMs' | 'eventIds' | 'anonymousId'>) => observe({ sentAt, latencyMs: performance.now() - sentAt, eventIds, anonymousId, ...a });
        let settled = false;
        const fail = (failure: 'timeout' | 'network', error: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          report({ status: 0, failure, level: undefined, levelReason: undefined, retryAfter: undefined, acceptedIds: [], actions: 0, identity: undefined, said: error.message.slice(0, 200) });
          reject(error);
        };
        const req = http.request(
          url,
          {
            method: 'POST',
            agent,
            ...(stopping ? { signal: stopping } : {}),
            headers: {
              'content-type': 'text/plain;charset=UTF-8',
              'content-length': String(Buffer.byteLength(body)),
              origin: device.origin,
              'user-agent': device.userAgent,
              'cf-connecting-ip': device.clientIp,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', (error) => fail('network', error));
            res.on('end', () => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              const status = res.statusCode ?? 0;
              const text = Buffer.concat(chunks).toString('utf8');
              let answer: unknown;
              try {
                answer = JSON.parse(text);
              } catch {
                answer = undefined;
              }
              const header = (name: string) => {
                const value = res.headers[name];
                return Array.isArray(value) ? value.join(', ') : value;
              };
              report({
                status,
                level: header(LEVEL_HEADER),
                levelReason: header(LEVEL_REASON_HEADER),
                retryAfter: header('retry-after'),
                acceptedIds: status === 200 ? acceptedOf(eventIds, answer) : [],
                actions: status === 200 ? actionsOf(answer) : 0,
                identity: status === 200 ? identityOf(answer) : undefined,
                ...(status === 200 ? {} : { said: text.slice(0, 200) }),
              });
              resolve({ status, body: answer, retryAfter: header('retry-after') ?? null });
            });
          },
        );
        const timer = setTimeout(() => {
          const error = new Error(`no answer within ${timeoutMs} ms`);
          req.destroy(error);
          fail('timeout', error);
        }, timeoutMs);
        req.on('error', (error) => fail('network', error));
        req.end(body);
      }),
  };
}

/** The event ids of a batch body `{ events: [{ eventId }…] }`. */
export function idsOf(body: string): string[] {
  const parsed = JSON.parse(body) as { events?: Array<{ eventId?: unknown }> };
  return (parsed.events ?? []).map((e) => String(e.eventId));
}

/** The anonymous id of a batch body's events (one device's batch), undefined when its first event has none. */
export function deviceOf(body: string): string | undefined {
  const parsed = JSON.parse(body) as { events?: Array<{ anonymousId?: unknown }> };
  const id = parsed.events?.[0]?.anonymousId;
  return typeof id === 'string' ? id : undefined;
}

/** The ids of a 200 answer's accepted events: all but the indexes its `rejected` lists. */
export function acceptedOf(eventIds: readonly string[], answer: unknown): string[] {
  const rejected = (answer as { rejected?: Array<{ index?: unknown }> } | undefined)?.rejected ?? [];
  const out = new Set(rejected.map((r) => r.index));
  return eventIds.filter((_, i) => !out.has(i));
}

/** How many decisions a 200 answer carried. */
export function actionsOf(answer: unknown): number {
  const actions = (answer as { actions?: unknown } | undefined)?.actions;
  return Array.isArray(actions) ? actions.length : 0;
}

/** `verified`, or the reason the edge gave for not linking the identify, when the answer has a verdict. */
export function identityOf(answer: unknown): string | undefined {
  const verdict = (answer as { identity?: { verified?: unknown; reason?: unknown } } | undefined)?.identity;
  if (verdict === undefined || verdict === null) return undefined;
  return verdict.verified === true ? 'verified' : `not verified: ${String(verdict.reason)}`;
}
