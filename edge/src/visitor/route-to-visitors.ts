/**
 * Hands each visitor's events of a batch to that visitor's Durable Object and
 * gathers the decisions. A batch normally holds one visitor. A visitor over its
 * rate limit stops the batch (429); one visitor's object failing costs only its
 * actions: the events are relayed regardless (decisions degrade, the data path
 * stays whole).
 */
import type { Decision, SessionflowEvent } from '@sessionflow/core';
import type { EdgeBindings } from '../env.js';
import type { VisitOutcome } from './visitor-do.js';

export type BatchDecision = { limited: false; actions: Decision[] } | { limited: true; retryAfterS: number };

export async function decideForVisitors(
  env: EdgeBindings,
  siteKey: string,
  events: readonly SessionflowEvent[],
  receivedAt: number,
  bot: boolean,
): Promise<BatchDecision> {
  const namespace = env.VISITOR;
  if (namespace === undefined || events.length === 0) return { limited: false, actions: [] };
  const byVisitor = new Map<string, SessionflowEvent[]>();
  for (const event of events) {
    const mine = byVisitor.get(event.anonymousId);
    if (mine) mine.push(event);
    else byVisitor.set(event.anonymousId, [event]);
  }
  const outcomes = await Promise.all(
    [...byVisitor].map(async ([anonymousId, visitorEvents]): Promise<VisitOutcome | undefined> => {
      try {
        // Named per site and visitor: two sites never share a visitor's object.
        const visitor = namespace.get(namespace.idFromName(`${siteKey}:${anonymousId}`));
        // RPC's types turn `unknown` fields (an action's custom data) into `never`; the value is plain JSON.
        return (await visitor.visit({ anonymousId, events: visitorEvents, receivedAt, bot })) as unknown as VisitOutcome;
      } catch (error) {
        console.error(`visitor ${anonymousId}: no decision (${error instanceof Error ? error.message : String(error)})`);
        return undefined;
      }
    }),
  );
  const limited = outcomes.filter((o) => o?.limited === true);
  if (limited.length > 0) return { limited: true, retryAfterS: Math.max(...limited.map((o) => (o.limited ? o.retryAfterS : 0))) };
  return { limited: false, actions: outcomes.flatMap((o) => (o && !o.limited ? o.actions : [])) };
}

/** User agents that say they are crawlers, scripts or automation: flagged, never dropped. */
const BOT = /bot\b|crawl|spider|slurp|headless|lighthouse|curl\/|wget\/|python-requests|go-http-client|httpclient/i;

export function isObviousBot(userAgent: string | undefined): boolean {
  return userAgent === undefined || userAgent === '' || BOT.test(userAgent);
}
