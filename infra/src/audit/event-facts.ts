/**
 * What the ledger keeps of each `sf.events` record: its event id, session,
 * device, how many copies travelled, and the product it views. The edge's
 * decisions share the topic and are skipped; a record that is not an event
 * is counted as unreadable rather than guessed at.
 */
import { DECISION_RECORD_TYPE, PRODUCT_VIEW_TRACK, nameProp } from '@sessionflow/core';
import type { KafkaEvent } from './ledger.js';

export interface EventFacts {
  events: Map<string, KafkaEvent>;
  /** Records that are neither an event nor a decision. */
  unreadable: number;
}

export function emptyEventFacts(): EventFacts {
  return { events: new Map(), unreadable: 0 };
}

/** Adds one record of `sf.events` to `facts`: its value, and its timestamp (when the collector wrote it) if known. */
export function addEventRecord(facts: EventFacts, value: string | null, timestamp?: number): void {
  const record = parse(value);
  if (record === undefined) {
    facts.unreadable++;
    return;
  }
  if (record.type === DECISION_RECORD_TYPE) return;
  const { eventId, sessionId, anonymousId } = record;
  if (typeof eventId !== 'string' || typeof sessionId !== 'string' || typeof anonymousId !== 'string') {
    facts.unreadable++;
    return;
  }
  const known = facts.events.get(eventId);
  if (known !== undefined) {
    known.copies++;
    return;
  }
  const viewed = viewedProduct(record);
  facts.events.set(eventId, {
    eventId,
    sessionId,
    anonymousId,
    copies: 1,
    ...(viewed !== undefined ? { viewedProduct: viewed } : {}),
    ...(timestamp !== undefined && Number.isFinite(timestamp) ? { writtenAt: timestamp } : {}),
  });
}

type RecordValue = Record<string, unknown>;

function parse(value: string | null): RecordValue | undefined {
  if (value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as RecordValue) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The product an event views, read as the aggregates stage reads it
 * (collector/src/pipeline/signals.ts, `productSignals`' `view`): a click on a
 * product, or a `product_view` track naming `props.productId`.
 */
function viewedProduct(record: RecordValue): string | undefined {
  if (record.type === 'click') {
    const product = record.product as { id?: unknown } | undefined;
    return typeof product?.id === 'string' ? product.id : undefined;
  }
  if (record.type === 'track' && record.name === PRODUCT_VIEW_TRACK) {
    return nameProp(record.props as Readonly<Record<string, unknown>> | undefined, 'productId');
  }
  return undefined;
}
