/**
 * Hands each visitor's events of a batch to that visitor's Durable Object,
 * which keeps them in its outbox until the collector has them, and gathers the
 * decisions. A batch normally holds one visitor. A visitor over its rate limit
 * stops the batch (429), a full outbox too (503): the SDK keeps the batch. If a
 * visitor's object fails, its events are handed back to be relayed directly,
 * so the data path stays whole while decisions degrade.
 */
import type { SessionflowEvent } from '@sessionflow/core';
import type { EdgeBindings } from '../env.js';
import type { EdgeAction, VisitInput, VisitOutcome } from './visitor-do.js';

export type BatchOutcome =
  | { kind: 'taken'; actions: EdgeAction[]; outboxDepth: number; /** Events no object took: relay them directly. */ direct: SessionflowEvent[] }
  | { kind: 'limited'; retryAfterS: number }
  | { kind: 'outbox_full' };

export async function visitAll(
  env: EdgeBindings,
  events: readonly SessionflowEvent[],
  context: Pick<VisitInput, 'receivedAt' | 'relay' | 'bot' | 'device'>,
): Promise<BatchOutcome> {
  const namespace = env.VISITOR;
  if (namespace === undefined || events.length === 0) return { kind: 'taken', actions: [], outboxDepth: 0, direct: [...events] };
  const byVisitor = new Map<string, SessionflowEvent[]>();
  for (const event of events) {
    const mine = byVisitor.get(event.anonymousId);
    if (mine) mine.push(event);
    else byVisitor.set(event.anonymousId, [event]);
  }
  const visits = await Promise.all(
    [...byVisitor].map(async ([anonymousId, visitorEvents]) => {
      try {
        // Named per site and visitor: two sites never share a visitor's object.
        const visitor = namespace.get(namespace.idFromName(`${context.relay.siteKey}:${anonymousId}`));
        // RPC's types turn `unknown` fields (an action's custom data) into `never`; the value is plain JSON.
        const outcome = (await visitor.visit({ ...context, anonymousId, events: visitorEvents })) as unknown as VisitOutcome;
        return { events: visitorEvents, outcome };
      } catch (error) {
        console.error(`visitor ${anonymousId}: its object failed, relaying directly (${error instanceof Error ? error.message : String(error)})`);
        return { events: visitorEvents, outcome: undefined };
      }
    }),
  );
  const outcomes = visits.map((v) => v.outcome);
  const limited = outcomes.flatMap((o) => (o?.outcome === 'limited' ? [o.retryAfterS] : []));
  if (limited.length > 0) return { kind: 'limited', retryAfterS: Math.max(...limited) };
  if (outcomes.some((o) => o?.outcome === 'outbox_full')) return { kind: 'outbox_full' };
  const taken = outcomes.flatMap((o) => (o?.outcome === 'taken' ? [o] : []));
  return {
    kind: 'taken',
    actions: taken.flatMap((o) => o.actions),
    outboxDepth: Math.max(0, ...taken.map((o) => o.outboxDepth)),
    direct: visits.flatMap((v) => (v.outcome === undefined ? v.events : [])),
  };
}

/** User agents that say they are crawlers, scripts or automation: flagged, never dropped. */
const BOT = /bot\b|crawl|spider|slurp|headless|lighthouse|curl\/|wget\/|python-requests|go-http-client|httpclient/i;

export function isObviousBot(userAgent: string | undefined): boolean {
  return userAgent === undefined || userAgent === '' || BOT.test(userAgent);
}
