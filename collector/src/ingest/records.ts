/**
 * Turns a verified relay envelope into Kafka records: valid events to the
 * events topic keyed by anonymous id, invalid ones to the dead-letter topic
 * with their reasons, so one bad event never sinks the good ones.
 */
import { encodeDeadLetter, eventRecordEncoder, partitionEvents, type RelayEnvelope, type Topics } from '@sessionflow/core';
import type { OutboundRecord } from './sink.js';

export interface IngestRecords {
  records: OutboundRecord[];
  accepted: number;
  deadLettered: number;
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
  return { records, accepted: accepted.length, deadLettered: rejected.length };
}
