/**
 * Where the SDK's events land, counted by event id: the records of
 * `<prefix>.events` (Kafka, read from the start), and what the pipeline made of
 * them in Redis. The pipeline's results allow counting each event in two ways:
 *
 * - **folded into its session** (the sessions stage): the session's `events`
 *   (`GET /v1/sessions/:sessionId`, core's `OpenSessionView`) goes up by one
 *   per event folded, and the stage remembers each id it folded
 *   (`…:sessions:seen:<eventId>`, in the slot of the event's `sf.events`
 *   partition). An event folded twice would show as a session count above
 *   the number of distinct ids of that session in Kafka;
 * - **counted by the aggregates stage** (profiles, popularity, rollups): one
 *   `…:seen:<eventId>` key per counted id (in the slot of its person's
 *   `sf.events.by-user` partition).
 *
 * The `seen` keys are found by SCAN (like the collector's `personTraces`), so
 * the count does not depend on knowing which partition owns an id: an id
 * counted in two partitions would show as two keys.
 */
import { isDecisionRecord, keyPart, type IngestedEvent } from '@sessionflow/core';
import { createLogger, createStoreClient } from '@sessionflow/collector';
import type { TopicReader } from './topic-reader.js';

/** An event as it sits in `sf.events`: the SDK's event, with the edge's session id and the ingest metadata. */
export type LandedEvent = IngestedEvent & { [field: string]: unknown };

export interface PipelineCount {
  /** event id → how many `sessions:seen:` keys hold it (1: folded into its session once). */
  folded: Map<string, number>;
  /** event id → how many aggregates-stage `seen:` keys hold it (1: counted once). */
  counted: Map<string, number>;
  /** session id → the session's `events` as the pipeline answers it, beside the distinct ids of that session in Kafka. */
  sessions: Map<string, { pipeline: number | undefined; kafka: number }>;
}

export interface Downstream {
  /** Every SDK event in `sf.events` so far, in the order read, copies included (decision records left out). */
  events(): LandedEvent[];
  eventsOf(anonymousId: string): LandedEvent[];
  /** How many records of each event id `sf.events` holds. */
  copiesById(): Map<string, number>;
  /** Resolves with `select`'s first defined answer over `events()`; fails after `timeoutMs` showing what landed. */
  waitFor<T>(select: (events: LandedEvent[]) => T | undefined, timeoutMs?: number): Promise<T>;
  /** What the pipeline made of `eventIds` and of the sessions they belong to (in Kafka). */
  pipelineCount(eventIds: readonly string[]): Promise<PipelineCount>;
}

export interface DownstreamOptions {
  reader: TopicReader;
  redisUrl: string;
  topicPrefix: string;
  collectorUrl: string;
  readSecret: string;
}

export function downstream(o: DownstreamOptions): Downstream {
  let decoded = 0;
  const landed: LandedEvent[] = [];
  const events = (): LandedEvent[] => {
    for (; decoded < o.reader.records.length; decoded++) {
      const value = JSON.parse(o.reader.records[decoded]!.value) as unknown;
      if (!isDecisionRecord(value)) landed.push(value as LandedEvent);
    }
    return landed;
  };

  const sessionEvents = async (sessionId: string): Promise<number | undefined> => {
    const response = await fetch(`${o.collectorUrl}/v1/sessions/${encodeURIComponent(sessionId)}`, { headers: { authorization: `Bearer ${o.readSecret}` } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET /v1/sessions/${sessionId} answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { events: number }).events;
  };

  /** Every `seen` key of the deployment: the sessions stage's and the aggregates stage's, by the id they name. */
  const seenKeys = async (): Promise<{ folded: Map<string, number>; counted: Map<string, number> }> => {
    const redis = createStoreClient(o.redisUrl, createLogger('error', () => undefined));
    await redis.connect();
    const folded = new Map<string, number>();
    const counted = new Map<string, number>();
    const add = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
    try {
      for await (const batch of redis.scan(`${o.topicPrefix}:*seen:*`, 1000)) {
        for (const key of batch) {
          // <prefix>:{<topic>:<partition>}:sessions:seen:<id> or <prefix>:{<topic>:<partition>}:seen:<id>[:prefix]
          const rest = key.slice(key.indexOf('}:') + 2);
          if (rest.startsWith('sessions:seen:')) add(folded, rest.slice('sessions:seen:'.length));
          else if (rest.startsWith('seen:') && !rest.endsWith(':prefix')) add(counted, rest.slice('seen:'.length));
        }
      }
    } finally {
      await redis.close();
    }
    return { folded, counted };
  };

  return {
    events,
    eventsOf: (anonymousId) => events().filter((e) => e.anonymousId === anonymousId),
    copiesById() {
      const copies = new Map<string, number>();
      for (const e of events()) copies.set(e.eventId, (copies.get(e.eventId) ?? 0) + 1);
      return copies;
    },
    async waitFor(select, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = select(events());
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          const seen = events().map((e) => JSON.stringify(e)).join('\n');
          throw new Error(`not in sf.events within ${timeoutMs} ms; ${events().length} events landed:\n${seen.slice(-6000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async pipelineCount(eventIds) {
      const { folded, counted } = await seenKeys();
      const wanted = new Set(eventIds);
      const sessionIds = new Set(events().filter((e) => wanted.has(e.eventId)).map((e) => e.sessionId));
      const sessions = new Map<string, { pipeline: number | undefined; kafka: number }>();
      for (const sessionId of sessionIds) {
        const kafka = new Set(events().filter((e) => e.sessionId === sessionId).map((e) => e.eventId)).size;
        sessions.set(sessionId, { pipeline: await sessionEvents(sessionId), kafka });
      }
      const by = (map: Map<string, number>) => new Map(eventIds.map((id) => [id, map.get(keyPart(id)) ?? 0]));
      return { folded: by(folded), counted: by(counted), sessions };
    },
  };
}

/** What the test asserts on: the copies in Kafka beside the pipeline's counts, for the same ids. */
export interface Tally extends PipelineCount {
  /** event id → records of it in `sf.events`. */
  copies: Map<string, number>;
}

/**
 * Waits until every id of `eventIds` is in `sf.events`, folded and counted by
 * the pipeline, and every session they belong to shows as many events as
 * Kafka holds distinct ids of it; then `quietMs` more (a late copy would land
 * and be processed meanwhile) and counts again. Fails after `timeoutMs` with
 * the ids still missing somewhere.
 */
export async function settledTally(d: Downstream, eventIds: readonly string[], { timeoutMs = 45_000, quietMs = 3000 } = {}): Promise<Tally> {
  const tally = async (): Promise<Tally> => ({ copies: d.copiesById(), ...(await d.pipelineCount(eventIds)) });
  const missing = (t: Tally): string[] => [
    ...eventIds.filter((id) => !t.copies.has(id)).map((id) => `${id}: not in sf.events`),
    ...eventIds.filter((id) => t.folded.get(id) === 0).map((id) => `${id}: not folded into its session`),
    ...eventIds.filter((id) => t.counted.get(id) === 0).map((id) => `${id}: not counted by the aggregates stage`),
    ...[...t.sessions].filter(([, s]) => s.pipeline !== s.kafka).map(([id, s]) => `session ${id}: ${s.pipeline ?? 'no'} events in the pipeline, ${s.kafka} distinct in sf.events`),
  ];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = missing(await tally());
    if (left.length === 0) break;
    if (Date.now() > deadline) throw new Error(`not all downstream within ${timeoutMs} ms:\n${left.join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, quietMs));
  return tally();
}

/**
 * What is not exactly once downstream, one line per problem (empty when all is
 * well): each id folded into its session once and counted once by the
 * aggregates stage, each session's count equal to its distinct ids in Kafka,
 * and each id in `sf.events` once, or, with `kafka: 'copies allowed'`, at least
 * once (an SDK may send an event twice where it cannot know the first copy
 * arrived: a beacon from a closing tab, a request cut by a reload).
 */
export function notExactlyOnce(t: Tally, eventIds: readonly string[], { kafka = 'once' }: { kafka?: 'once' | 'copies allowed' } = {}): string[] {
  return [
    ...eventIds.filter((id) => (kafka === 'once' ? t.copies.get(id) !== 1 : !t.copies.has(id))).map((id) => `${id}: ${t.copies.get(id) ?? 0} records in sf.events`),
    ...eventIds.filter((id) => t.folded.get(id) !== 1).map((id) => `${id}: folded into its session ${t.folded.get(id)} times`),
    ...eventIds.filter((id) => t.counted.get(id) !== 1).map((id) => `${id}: counted ${t.counted.get(id)} times by the aggregates stage`),
    ...[...t.sessions].filter(([, s]) => s.pipeline !== s.kafka).map(([id, s]) => `session ${id}: ${s.pipeline ?? 'no'} events in the pipeline, ${s.kafka} distinct in sf.events`),
  ];
}
