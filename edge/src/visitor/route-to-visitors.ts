/**
 * Hands a batch's events to their visitor's Durable Object, which keeps them
 * in its outbox until the collector has them, and gets the decision. A batch
 * holds one visitor (the collect route refuses others). A visitor over its
 * rate limit stops the batch (429), a full outbox too (503): the SDK keeps the
 * batch. If the object fails, the events are handed back to be relayed
 * directly, so the data path stays whole while decisions degrade.
 */
import type { IdentityVerdict, Level, SessionflowEvent } from '@sessionflow/core';
import type { EdgeBindings } from '../env.js';
import { applyIdentity } from '../identity/apply.js';
import { logId } from '../log-id.js';
import type { EdgeAction, VisitInput, VisitOutcome } from './visitor-do.js';

export type BatchOutcome =
  | {
      kind: 'taken';
      actions: EdgeAction[];
      outboxDepth: number;
      /** Events no object took: relay them directly (identity already applied). */
      direct: SessionflowEvent[];
      identity?: IdentityVerdict;
      /** The level the object decided at, and why when not full; absent when no object decided. */
      level?: Level;
      levelReason?: string;
    }
  | { kind: 'limited'; retryAfterS: number }
  | { kind: 'outbox_full' };

export async function visitVisitor(
  env: EdgeBindings,
  anonymousId: string,
  batch: Required<Pick<VisitInput, 'events' | 'identities'>>,
  context: Pick<VisitInput, 'receivedAt' | 'relay' | 'bot' | 'device' | 'degrade'>,
): Promise<BatchOutcome> {
  const namespace = env.VISITOR;
  if (namespace !== undefined && batch.events.length > 0) {
    try {
      // Named per site and visitor: two sites never share a visitor's object.
      const visitor = namespace.get(namespace.idFromName(`${context.relay.siteKey}:${anonymousId}`));
      // RPC's types turn `unknown` fields (an action's custom data) into `never`; the value is plain JSON.
      const outcome = (await visitor.visit({ ...context, ...batch, anonymousId })) as unknown as VisitOutcome;
      if (outcome.outcome === 'limited') return { kind: 'limited', retryAfterS: outcome.retryAfterS };
      if (outcome.outcome === 'outbox_full') return { kind: 'outbox_full' };
      return {
        kind: 'taken',
        actions: outcome.actions,
        outboxDepth: outcome.outboxDepth,
        direct: [],
        level: outcome.level,
        ...(outcome.levelReason !== undefined ? { levelReason: outcome.levelReason } : {}),
        ...(outcome.identity !== undefined ? { identity: outcome.identity } : {}),
      };
    } catch (error) {
      console.error(`visitor ${logId(anonymousId)}: its object failed, relaying directly (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  // Without the object's state nothing was verified before this batch: only what the batch itself proves stands.
  const identity = applyIdentity(batch.events, batch.identities ?? [], undefined);
  return { kind: 'taken', actions: [], outboxDepth: 0, direct: identity.events, ...(identity.verdict !== undefined ? { identity: identity.verdict } : {}) };
}

/** User agents that say they are crawlers, scripts or automation: flagged, never dropped. */
const BOT = /bot\b|crawl|spider|slurp|headless|lighthouse|curl\/|wget\/|python-requests|go-http-client|httpclient/i;

export function isObviousBot(userAgent: string | undefined): boolean {
  return userAgent === undefined || userAgent === '' || BOT.test(userAgent);
}
