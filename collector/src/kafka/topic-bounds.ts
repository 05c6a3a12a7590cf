/**
 * How long each topic keeps what it holds (pure: configuration in, Kafka topic
 * configs out). Every topic has a bound:
 *
 * - append topics (`events`, `events.dlq`, `events.by-user`): deleted after
 *   `retention.ms`, and after `retention.bytes` per partition where size is the
 *   better bound (the DLQ, which anything malformed can fill and nothing reads);
 * - compacted topics holding personal data (`identity`, `sessions`, `profiles`):
 *   `compact,delete`, so even a key's latest value goes after `retention.ms`, and
 *   a superseded or tombstoned value is compacted away within
 *   `max.compaction.lag.ms` (tombstones themselves after `delete.retention.ms`);
 * - reference data (`products`, `inventory`): compacted, bounded by the catalog;
 * - `erasures`: compacted markers (pseudonymous: an HMAC, never an id) kept for
 *   longer than any record of a person can live anywhere else, so a replay from
 *   the earliest offsets never brings an erased person back.
 *
 * Retention deletes whole segments, once the newest record in a segment is
 * older than `retention.ms`; `segment.ms` rolls a segment that old, so a record
 * lives at most `retention.ms + segment.ms` (plus the broker's retention check,
 * `log.retention.check.interval.ms`, 5 minutes by default).
 */
import type { Topics } from '@sessionflow/core';

export interface TopicBounds {
  /** `retention.ms` of `events`, `events.dlq` and `events.by-user`. */
  eventsRetentionMs: number;
  /** `retention.bytes` per partition of `events` and `events.by-user`; -1: by time only. */
  eventsRetentionBytes: number;
  /** `retention.bytes` per partition of `events.dlq`. */
  dlqRetentionBytes: number;
  /** `retention.ms` of `identity`, `sessions` and `profiles` (compact,delete). */
  stateRetentionMs: number;
  /** `segment.ms` of every topic with personal data: how long a record may outlive its retention. */
  segmentMs: number;
  /** `max.compaction.lag.ms` (and `delete.retention.ms`) of the compacted topics with personal data and of `erasures`. */
  maxCompactionLagMs: number;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

export const DEFAULT_TOPIC_BOUNDS: Readonly<TopicBounds> = Object.freeze({
  eventsRetentionMs: 7 * DAY_MS,
  eventsRetentionBytes: -1,
  dlqRetentionBytes: 1024 * 1024 * 1024,
  // The anonymous profiles' quiet period: a snapshot or link is kept as long as the profile it describes.
  stateRetentionMs: 90 * DAY_MS,
  segmentMs: DAY_MS,
  maxCompactionLagMs: DAY_MS,
});

/** The broker's `log.retention.check.interval.ms` default: retention acts at most this late. */
export const RETENTION_CHECK_INTERVAL_MS = 5 * MINUTE_MS;

/** How each topic is kept; a `Record` over core's `Topics`, so a new topic cannot go without a decision. */
export type TopicKind = 'events' | 'deadLetters' | 'personalState' | 'reference' | 'erasures';

export const TOPIC_KINDS: Readonly<Record<keyof Topics, TopicKind>> = Object.freeze({
  events: 'events',
  eventsDlq: 'deadLetters',
  eventsByUser: 'events',
  identity: 'personalState',
  sessions: 'personalState',
  profiles: 'personalState',
  products: 'reference',
  inventory: 'reference',
  erasures: 'erasures',
});

/**
 * The longest a record naming a person can stay in any topic: the longest
 * retention of the topics with personal data, plus the segment it may wait in,
 * plus the broker's retention check. Erasure markers live at least this long
 * (in Redis and in `erasures`): after it, no topic holds anything of the
 * person from before the erasure.
 */
export function longestPersonalDataLifeMs(bounds: TopicBounds): number {
  return Math.max(bounds.eventsRetentionMs, bounds.stateRetentionMs) + bounds.segmentMs + RETENTION_CHECK_INTERVAL_MS;
}

/**
 * Beyond the longest a record of a person lives in a topic, for an erasure
 * marker: an event is stamped (`ingestedAt`) a moment before the broker
 * appends it, and the collector's and the broker's clocks may differ by as much.
 */
export const ERASURE_MARKER_MARGIN_MS = 60 * MINUTE_MS;

/**
 * How long an erasure marker is in force after its erasure (in Redis, and when
 * a pipeline puts it back from `erasures`): longer than any record from before
 * the erasure can stay in a topic, so a replay from the earliest offsets never
 * meets one of the person's events without its marker.
 */
export function erasureMarkerLifeMs(bounds: TopicBounds): number {
  return longestPersonalDataLifeMs(bounds) + ERASURE_MARKER_MARGIN_MS;
}

/** `retention.ms` of `erasures`: a marker's record outlives the marker's life, and the compaction lag after it. */
export function erasuresRetentionMs(bounds: TopicBounds): number {
  return erasureMarkerLifeMs(bounds) + bounds.maxCompactionLagMs;
}

/** The topic configs Sessionflow sets on a topic of `kind` (Kafka's names and string values). */
export function topicConfigEntries(kind: TopicKind, bounds: TopicBounds): Record<string, string> {
  const compactedPersonal = (retentionMs: number) => ({
    'cleanup.policy': 'compact,delete',
    'retention.ms': String(retentionMs),
    'segment.ms': String(bounds.segmentMs),
    'max.compaction.lag.ms': String(bounds.maxCompactionLagMs),
    'delete.retention.ms': String(bounds.maxCompactionLagMs),
  });
  switch (kind) {
    case 'events':
      return { 'cleanup.policy': 'delete', 'retention.ms': String(bounds.eventsRetentionMs), 'retention.bytes': String(bounds.eventsRetentionBytes), 'segment.ms': String(bounds.segmentMs) };
    case 'deadLetters':
      return { 'cleanup.policy': 'delete', 'retention.ms': String(bounds.eventsRetentionMs), 'retention.bytes': String(bounds.dlqRetentionBytes), 'segment.ms': String(bounds.segmentMs) };
    case 'personalState':
      return compactedPersonal(bounds.stateRetentionMs);
    case 'erasures':
      return compactedPersonal(erasuresRetentionMs(bounds));
    case 'reference':
      return { 'cleanup.policy': 'compact' };
  }
}
