/**
 * Turns a verified relay envelope into Kafka records: valid events to the
 * events topic keyed by anonymous id, invalid ones to the dead-letter topic
 * with their reasons, so one bad event never sinks the good ones.
 */
import { encodeDeadLetter, encodeDecisionRecord, eventRecordEncoder, partitionEvents, type EventType, type RelayEnvelope, type Topics } from '@sessionflow/core';
import type { OutboundRecord } from './sink.js';

export interface IngestRecords {
  records: OutboundRecord[];
  /** Events written to the events topic. */
  accepted: number;
  /** Decisions written to the events topic. */
  decisions: number;
  deadLettered: number;
  /** What was accepted, by record type (the event types, and `decision`). */
  acceptedByType: Map<EventType | 'decision', number>;
}

export function buildRecords(envelope: RelayEnvelope, topics: Topics, ingestedAt: number): IngestRecords {
  const { accepted, rejected } = partitionEvents(envelope.events);
  const { siteKey, receivedAt, device } = envelope;
  const encode = eventRecordEncoder({ siteKey, receivedAt, ingestedAt, ...(device !== undefined ? { device } : {}) });
  const records: OutboundRecord[] = [];
  for (const event of accepted) {
    const { key, value } = encode(event);
    records.push({ topic: topics.events, key, value });
  }
  for (const { index, errors } of rejected) {
    const { key, value } = encodeDeadLetter({ errors, event: envelope.events[index], siteKey, receivedAt, ingestedAt });
    records.push({ topic: topics.eventsDlq, key, value });
  }
  const acceptedByType = new Map<EventType | 'decision', number>();
  for (const event of accepted) acceptedByType.set(event.type, (acceptedByType.get(event.type) ?? 0) + 1);
  // The edge stamps one session on a batch's events: its decisions belong to it, and follow its events in the device's partition.
  const decisions = envelope.decisions ?? [];
  const owner = accepted[0];
  let deadDecisions = 0;
  for (const decided of decisions) {
    if (owner === undefined) {
      const errors = [{ field: 'decisions', reason: 'no event of the batch was accepted to name the session they belong to' }];
      const { value } = encodeDeadLetter({ errors, event: decided, siteKey, receivedAt, ingestedAt });
      records.push({ topic: topics.eventsDlq, key: 'unknown', value });
      deadDecisions++;
      continue;
    }
    const meta = { siteKey, receivedAt, ingestedAt, ...(device !== undefined ? { device } : {}) };
    const { key, value } = encodeDecisionRecord(decided, { anonymousId: owner.anonymousId, sessionId: owner.sessionId }, meta);
    records.push({ topic: topics.events, key, value });
  }
  const acceptedDecisions = decisions.length - deadDecisions;
  if (acceptedDecisions > 0) acceptedByType.set('decision', acceptedDecisions);
  return { records, accepted: accepted.length, decisions: acceptedDecisions, deadLettered: rejected.length + deadDecisions, acceptedByType };
}
