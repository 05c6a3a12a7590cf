/**
 * Where the SDK's events land. Two views of it:
 *
 * - `sf.events` as a test reads it (support/topic-reader.ts, from the start):
 *   the events themselves, to wait for one and look at what landed;
 * - whether each of a list of event ids is in `sf.events` and counted exactly
 *   once by the pipeline: infra's downstream ledger (`auditLoop`, the one the
 *   crash tests and the flash-sale benchmark use). It reads each id's marks of
 *   the sessions and the aggregates stages in Redis, each session's count of
 *   folded events against the distinct ids Kafka holds for it, and the
 *   recommendation model's item sequences; infra/src/audit/audit-loop.ts says
 *   what that proves. This file only waits for it and words its findings.
 */
import { isDecisionRecord, type IngestedEvent } from '@sessionflow/core';
import { auditLoop, type AuditReport, type AuditTarget } from '@sessionflow/infra';
import type { TopicReader } from './topic-reader.js';

/** An event as it sits in `sf.events`: the SDK's event, with the edge's session id and the ingest metadata. */
export type LandedEvent = IngestedEvent & { [field: string]: unknown };

export interface Downstream {
  /** Every SDK event in `sf.events` so far, in the order read, copies included (decision records left out). */
  events(): LandedEvent[];
  eventsOf(anonymousId: string): LandedEvent[];
  /** How many records of each event id `sf.events` holds, as read so far. */
  copiesById(): Map<string, number>;
  /** Resolves with `select`'s first defined answer over `events()`; fails after `timeoutMs` showing what landed. */
  waitFor<T>(select: (events: LandedEvent[]) => T | undefined, timeoutMs?: number): Promise<T>;
  /** The Kafka, Redis and read API the ledger reads. */
  target: AuditTarget;
}

export function downstream(reader: TopicReader, target: AuditTarget): Downstream {
  let decoded = 0;
  const landed: LandedEvent[] = [];
  const events = (): LandedEvent[] => {
    for (; decoded < reader.records.length; decoded++) {
      const value = JSON.parse(reader.records[decoded]!.value) as unknown;
      if (!isDecisionRecord(value)) landed.push(value as LandedEvent);
    }
    return landed;
  };
  return {
    target,
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
  };
}

/** What the test asserts on: the ledger's report for the ids, and the records of each in `sf.events` as the test read them. */
export interface Tally {
  ledger: AuditReport;
  /** event id → records of it in `sf.events`. */
  copies: Map<string, number>;
}

/**
 * Waits until the ledger finds every id of `eventIds` in `sf.events` and
 * counted by every stage of the pipeline; then `quietMs` more (a late copy
 * would land and be processed meanwhile) and reads the ledger again. Fails
 * after `timeoutMs` with what is still missing.
 */
export async function settledTally(d: Downstream, eventIds: readonly string[], { timeoutMs = 45_000, quietMs = 3000 } = {}): Promise<Tally> {
  const first = await auditLoop(d.target, eventIds, { waitMs: timeoutMs });
  const missing = [
    ...first.missingFromKafka.map((id) => `${id}: not in sf.events`),
    ...first.stages.sessions.missing.map((id) => `${id}: not folded into its session`),
    ...first.stages.aggregates.missing.map((id) => `${id}: not counted by the aggregates stage`),
  ];
  if (missing.length > 0) throw new Error(`not all downstream within ${timeoutMs} ms:\n${missing.join('\n')}`);
  await new Promise((r) => setTimeout(r, quietMs));
  const ledger = await auditLoop(d.target, eventIds);
  await d.waitFor((events) => (eventIds.every((id) => events.some((e) => e.eventId === id)) ? true : undefined));
  return { ledger, copies: d.copiesById() };
}

/**
 * What is not exactly once downstream, one line per problem (empty when all is
 * well): each id in `sf.events` and counted once by every stage (no stage
 * missing it, no count too many, no session whose count differs from its
 * distinct ids in Kafka), and each id in `sf.events` once, or, with
 * `kafka: 'copies allowed'`, at least once (an SDK may send an event twice
 * where it cannot know the first copy arrived: a beacon from a closing tab, a
 * request cut by a reload; the pipeline still counts it once).
 */
export function notExactlyOnce(t: Tally, eventIds: readonly string[], { kafka = 'once' }: { kafka?: 'once' | 'copies allowed' } = {}): string[] {
  const { ledger } = t;
  const { sessions, aggregates } = ledger.stages;
  const stage = (name: string, tally: typeof sessions): string[] => [
    ...tally.missing.map((id) => `${id}: not counted by the ${name} stage`),
    ...tally.countedTwice.map((id) => `${id}: counted more than once by the ${name} stage`),
    ...tally.sessionMismatches.map(
      (m) => `session ${m.sessionId}${m.productId !== undefined ? ` (views of ${m.productId})` : ''}: ${m.found} counted by the ${name} stage, ${m.expected} distinct in sf.events`,
    ),
  ];
  return [
    ...ledger.missingFromKafka.map((id) => `${id}: not in sf.events`),
    ...(kafka === 'once' ? eventIds.filter((id) => (t.copies.get(id) ?? 0) > 1).map((id) => `${id}: ${t.copies.get(id)} records in sf.events`) : []),
    ...(kafka === 'once' && ledger.duplicatesInKafka > 0 ? [`${ledger.duplicatesInKafka} records of these ids in sf.events beyond the first`] : []),
    ...stage('sessions', sessions),
    ...stage('aggregates', aggregates),
    ...(ledger.duplicateEffects > 0 ? [`${ledger.duplicateEffects} counts too many downstream`] : []),
    ...(ledger.sessionsTooLongForItems > 0 ? [`${ledger.sessionsTooLongForItems} sessions too long for the item sequences to be checked`] : []),
  ];
}
