/**
 * Hands each visitor's events of a batch to that visitor's Durable Object and
 * gathers the decisions. A batch normally holds one visitor; one visitor's
 * object failing costs only its actions: the events are relayed regardless
 * (decisions degrade, the data path stays whole).
 */
import type { Decision, SessionflowEvent } from '@sessionflow/core';
import type { EdgeBindings } from '../env.js';
import type { VisitDecision } from './visitor-do.js';

export async function decideForVisitors(env: EdgeBindings, siteKey: string, events: readonly SessionflowEvent[], receivedAt: number): Promise<Decision[]> {
  const namespace = env.VISITOR;
  if (namespace === undefined || events.length === 0) return [];
  const byVisitor = new Map<string, SessionflowEvent[]>();
  for (const event of events) {
    const mine = byVisitor.get(event.anonymousId);
    if (mine) mine.push(event);
    else byVisitor.set(event.anonymousId, [event]);
  }
  const decided = await Promise.all(
    [...byVisitor].map(async ([anonymousId, visitorEvents]) => {
      try {
        // Named per site and visitor: two sites never share a visitor's object.
        const visitor = namespace.get(namespace.idFromName(`${siteKey}:${anonymousId}`));
        // RPC's types turn `unknown` fields (an action's custom data) into `never`; the value is plain JSON.
        const decision = (await visitor.visit({ anonymousId, events: visitorEvents, receivedAt })) as unknown as VisitDecision;
        return decision.actions;
      } catch (error) {
        console.error(`visitor ${anonymousId}: no decision (${error instanceof Error ? error.message : String(error)})`);
        return [];
      }
    }),
  );
  return decided.flat();
}
