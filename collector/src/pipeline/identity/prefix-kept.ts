/**
 * What the anonymous prefix keeps of a session's events, and of each event
 * kept, so that re-sending it at the device's first link gives the user's
 * profile the same state as re-sending every raw event would, at a fraction of
 * the bytes and of the Redis memory.
 *
 * A prefix record changes only its canonical id's profile (../commands.ts,
 * `eventCommands`). Per record that is: the session (the same for the whole
 * prefix: a new session starts it over), the device and the user id (the same
 * for the whole prefix: its events are anonymous, the user is the canonical
 * id), the product signals (affinities, recently viewed, purchased: each event
 * with a signal is kept, in order), and updatedAt (ZADD GT of the latest event
 * time: the latest event is kept).
 *
 * Why the latest event and not only the first: the login event follows the
 * prefix under the same user and usually carries a later time, which would
 * make the prefix's latest time irrelevant. But event time is the visitor's
 * clock capped by the edge's arrival time, and nothing orders that clock with
 * the device's Kafka order (a queue flushed after a retry, a clock set back),
 * so an event before the login can carry a later time than the login. Kept,
 * the latest event makes updatedAt exact whatever the clocks said. It also
 * carries the session and the device, so no other event is kept for them.
 *
 * The latest so far is held at the stored list's tail while no product event
 * reached its time, and replaced when a later event comes: a session of page
 * views and scrolls stores one event.
 */
import { type IngestedEvent } from '@sessionflow/core';
import { eventTime } from '../commands.js';
import { productSignals } from '../signals.js';

/** Where a device's prefix stands: stored with its open session, so each batch can decide without reading the list. */
export interface PrefixProgress {
  /** The latest event time (`eventTime`) among the prefix's events so far, kept or not. */
  latestAt: number;
  /** The list's last entry was kept only for that time (no product signal): a later event replaces it. */
  tailIsLatest: boolean;
}

/** What to do with an anonymous event of the open session: drop it, or append it (first dropping the tail). */
export type PrefixStep = { keep: false } | { keep: true; replaceTail: boolean; progress: PrefixProgress };

export function prefixStep(progress: PrefixProgress | undefined, event: IngestedEvent): PrefixStep {
  const at = eventTime(event);
  const later = progress === undefined || at > progress.latestAt;
  // An equal time changes nothing for ZADD GT, so the earlier of two equal times stays the latest.
  const latestAt = progress === undefined ? at : Math.max(progress.latestAt, at);
  if (productSignals(event).length > 0) {
    // The tail is redundant once a kept event reaches its time.
    const replaceTail = progress !== undefined && progress.tailIsLatest && at >= progress.latestAt;
    return { keep: true, replaceTail, progress: { latestAt, tailIsLatest: false } };
  }
  if (!later) return { keep: false };
  return { keep: true, replaceTail: progress?.tailIsLatest ?? false, progress: { latestAt, tailIsLatest: true } };
}

/**
 * What the prefix list stores of a kept event: the fields the aggregates stage
 * reads of a prefix record — `readEvent`'s (ids, type, timestamp), the erasure
 * check's (`userId`, `ingest.ingestedAt`), `eventTime`'s (`ingest.receivedAt`)
 * and `productSignals`' (a click's product id and category, a track's name and
 * the props it names products by) — but the device and the session, which are
 * the list's own (one list per device, cleared at a new session) and come back
 * with `prefixRecordOf`. The schema version stays, as on every record of the
 * topic. Lists keep their length, so a reader that looks at only the first
 * entries sees the same ones; an entry that names no product becomes null or {}.
 */
export function prefixEntry(event: IngestedEvent): string {
  const kept: Record<string, unknown> = {
    schemaVersion: event.schemaVersion,
    eventId: event.eventId,
    ...(event.userId === undefined ? {} : { userId: event.userId }),
    type: event.type,
    timestamp: event.timestamp,
  };
  if (event.type === 'click' && event.product) {
    kept['product'] = event.product.category === undefined ? { id: event.product.id } : { id: event.product.id, category: event.product.category };
  }
  if (event.type === 'track') {
    kept['name'] = event.name;
    const props = productProps(event.props);
    if (props !== undefined) kept['props'] = props;
  }
  // Read with a type check: a record without them stays without them.
  const { receivedAt, ingestedAt } = (event.ingest ?? {}) as Partial<IngestedEvent['ingest']>;
  const ingest = { ...(typeof receivedAt === 'number' ? { receivedAt } : {}), ...(typeof ingestedAt === 'number' ? { ingestedAt } : {}) };
  if (Object.keys(ingest).length > 0) kept['ingest'] = ingest;
  return JSON.stringify(kept);
}

/**
 * The event JSON re-sent for a stored entry, with its device and session back.
 * An entry stored before the projection is the raw event, which has the same
 * ones already. Parsed, not spliced: this runs once per kept event, at a link.
 */
export function prefixRecordOf(entry: string, anonymousId: string, sessionId: string): string {
  return JSON.stringify({ ...(JSON.parse(entry) as Record<string, unknown>), anonymousId, sessionId });
}

function productProps(props: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined {
  if (props === undefined) return undefined;
  const kept: Record<string, unknown> = {};
  for (const key of ['productId', 'category'] as const) if (typeof props[key] === 'string') kept[key] = props[key];
  const ids = props['productIds'];
  if (Array.isArray(ids)) kept['productIds'] = ids.map((id: unknown) => (typeof id === 'string' ? id : null));
  const items = props['items'];
  if (Array.isArray(items)) {
    kept['items'] = items.map((item: unknown) => {
      if (item === null || typeof item !== 'object') return null;
      const id = (item as Record<string, unknown>)['productId'];
      return typeof id === 'string' ? { productId: id } : {};
    });
  }
  return Object.keys(kept).length === 0 ? undefined : kept;
}
