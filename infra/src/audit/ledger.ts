/**
 * The downstream ledger's arithmetic: from what Kafka holds and what the
 * pipeline stored, which accepted events reached `sf.events`, and which were
 * counted once, twice or never downstream. Pure: the facts are read by
 * kafka-events.ts and store-facts.ts, so this is tested with plain values.
 *
 * What counts as evidence, stage by stage (collector/README.md):
 * - **sessions stage** (folds every event into its session): per event, its
 *   `sessions:seen:<id>` mark, written in the same script as the fold; per
 *   session, the stored `version`, the number of events folded in. Every
 *   distinct event of a session in Kafka is folded exactly once, so `version`
 *   must equal the number of distinct ids Kafka holds for the session.
 * - **aggregates stage** (profiles, popularity, funnel, experiments, recs):
 *   per event, its `seen:<id>` mark in the by-user partition of the person the
 *   identity stage re-keyed it to. One mark is one counting; a mark in two
 *   partitions is an event counted under two people, twice in every global sum.
 *   Per session, the recommendation model's item sequences (one entry per
 *   product view, in the partition it was counted in, and one more in the
 *   user's partition for a view the identity stage re-sent under the user it
 *   turned out to be, marked `seen:<id>:prefix`): over all partitions, each
 *   product must appear as often as the session has distinct view events of it
 *   in Kafka plus their prefix copies counted.
 */

/** What the ledger needs of one event id found in `sf.events`. */
export interface KafkaEvent {
  eventId: string;
  sessionId: string;
  anonymousId: string;
  /** Records in `sf.events` with this id (1 + the duplicates that travelled). */
  copies: number;
  /** The product it views (a click on a product or a `product_view` track), as the aggregates stage reads it. */
  viewedProduct?: string;
  /** The first copy's record timestamp: when the collector wrote it to Kafka (epoch ms). */
  writtenAt?: number;
}

/** What the pipeline stored; a map misses what was not looked up (no Redis: the marks are unknown). */
export interface StoreFacts {
  /** Event id → when the sessions stage folded it (epoch ms), null when it has no mark. */
  sessionsSeen?: ReadonlyMap<string, number | null>;
  /** Event id → per by-user partition, when the aggregates stage counted it there, null where it did not. */
  aggregatesSeen?: ReadonlyMap<string, readonly (number | null)[]>;
  /** Event id (of a product view) → per by-user partition, when its prefix copy was counted there (`seen:<id>:prefix`), null where not. */
  prefixSeen?: ReadonlyMap<string, readonly (number | null)[]>;
  /** Session id → events folded into it (the stage's `version`); null when the stage holds no such session. */
  sessionEvents: ReadonlyMap<string, number | null>;
  /** Session id → the product ids of its recommendation sequences (all partitions' together), when read. */
  sessionItems?: ReadonlyMap<string, readonly string[]>;
}

/** The item sequence keeps a session's last 50 views (collector's RECS_LIMITS): a longer session cannot be checked by it. */
export const ITEMS_KEPT_PER_SESSION = 50;

export interface StageTally {
  /** Accepted ids (in Kafka) the stage counted at least once. */
  counted: number;
  /** Accepted ids in Kafka the stage shows no sign of having counted. */
  missing: string[];
  /** Counts beyond one: per event where it shows (two partitions' marks), per session where only a count shows it. */
  extraCounts: number;
  /** Ids counted more than once, or, where only a session's count shows an excess, that session's accepted ids. */
  countedTwice: string[];
  /** Sessions whose count differs from what Kafka holds: the evidence behind the two lists above. */
  sessionMismatches: SessionMismatch[];
}

export interface SessionMismatch {
  sessionId: string;
  /** What the stage's count should be: distinct ids in Kafka (of the unit: the session, or its views of `productId`). */
  expected: number;
  /** What the stage stored. */
  found: number;
  productId?: string;
}

export interface LedgerReport {
  accepted: number;
  inKafka: number;
  missingFromKafka: string[];
  /** Records of accepted ids in `sf.events` beyond the first: duplicates that travelled (allowed by the design). */
  duplicatesInKafka: number;
  /** Accepted ids in Kafka counted at least once by every stage that reads them. */
  countedByPipeline: number;
  /** Accepted ids in Kafka some stage never counted. */
  missingFromPipeline: string[];
  /** Accepted ids some stage counted more than once (or suspects: see StageTally.countedTwice). */
  countedTwice: string[];
  /** Counts beyond one, all stages: what a benchmark reports as duplicate effects (goal 0). */
  duplicateEffects: number;
  stages: { sessions: StageTally; aggregates: StageTally };
  /** Sessions whose item sequence holds more than it keeps: not checked by it. */
  sessionsTooLongForItems: number;
  /** Accepted id → when the aggregates stage counted it (epoch ms, the first partition's mark), where known. */
  appliedAt: Map<string, number>;
  /** Accepted id → when its first copy was written to `sf.events` (the record's timestamp), where known. */
  writtenAt: Map<string, number>;
}

/** Tallies the accepted ids against Kafka's events and the pipeline's facts. */
export function tallyLedger(acceptedIds: Iterable<string>, kafka: ReadonlyMap<string, KafkaEvent>, store: StoreFacts): LedgerReport {
  const accepted = [...new Set(acceptedIds)];
  const found = accepted.filter((id) => kafka.has(id));
  const foundSet = new Set(found);
  const bySession = groupBySession(kafka.values());

  const sessions = sessionsStage(found, foundSet, kafka, bySession, store);
  const itemsUnchecked = { count: 0 };
  const aggregates = aggregatesStage(found, foundSet, kafka, bySession, store, itemsUnchecked);

  const missing = new Set([...sessions.missing, ...aggregates.missing]);
  const twice = new Set([...sessions.countedTwice, ...aggregates.countedTwice]);
  const appliedAt = new Map<string, number>();
  const writtenAt = new Map<string, number>();
  for (const id of found) {
    const written = kafka.get(id)!.writtenAt;
    if (written !== undefined) writtenAt.set(id, written);
    const first = store.aggregatesSeen?.get(id)?.find((at) => at !== null);
    if (first !== undefined && first !== null) appliedAt.set(id, first);
  }
  return {
    accepted: accepted.length,
    inKafka: found.length,
    missingFromKafka: accepted.filter((id) => !foundSet.has(id)),
    duplicatesInKafka: found.reduce((sum, id) => sum + kafka.get(id)!.copies - 1, 0),
    countedByPipeline: found.length - missing.size,
    missingFromPipeline: found.filter((id) => missing.has(id)),
    countedTwice: found.filter((id) => twice.has(id)),
    duplicateEffects: sessions.extraCounts + aggregates.extraCounts,
    stages: { sessions, aggregates },
    sessionsTooLongForItems: itemsUnchecked.count,
    appliedAt,
    writtenAt,
  };
}

function groupBySession(events: Iterable<KafkaEvent>): Map<string, KafkaEvent[]> {
  const out = new Map<string, KafkaEvent[]>();
  for (const event of events) {
    const list = out.get(event.sessionId) ?? [];
    list.push(event);
    out.set(event.sessionId, list);
  }
  return out;
}

function emptyTally(): StageTally {
  return { counted: 0, missing: [], extraCounts: 0, countedTwice: [], sessionMismatches: [] };
}

/**
 * A unit (a session, or a session's views of one product) whose stored count
 * differs from the distinct ids Kafka holds for it. A shortfall the per-event
 * marks do not explain, or any excess, cannot be pinned on one event: the
 * unit's accepted ids are named instead.
 */
function judgeUnit(
  tally: StageTally,
  unit: { sessionId: string; productId?: string; events: readonly KafkaEvent[]; expected?: number },
  stored: number,
  marked: (id: string) => boolean | undefined,
  accepted: ReadonlySet<string>,
  missing: Set<string>,
  twice: Set<string>,
): void {
  const expected = unit.expected ?? unit.events.length;
  if (stored === expected) return;
  tally.sessionMismatches.push({ sessionId: unit.sessionId, expected, found: stored, ...(unit.productId !== undefined ? { productId: unit.productId } : {}) });
  const ids = unit.events.map((e) => e.eventId).filter((id) => accepted.has(id));
  if (stored > expected) {
    tally.extraCounts += stored - expected;
    for (const id of ids) twice.add(id);
    return;
  }
  const unmarked = ids.filter((id) => marked(id) === false);
  // The marks name the events not counted when they account for the whole shortfall.
  const named = unmarked.length >= expected - stored ? unmarked : ids;
  for (const id of named) missing.add(id);
}

function sessionsStage(
  found: readonly string[],
  accepted: ReadonlySet<string>,
  kafka: ReadonlyMap<string, KafkaEvent>,
  bySession: ReadonlyMap<string, KafkaEvent[]>,
  store: StoreFacts,
): StageTally {
  const tally = emptyTally();
  const missing = new Set<string>();
  const twice = new Set<string>();
  const marked = (id: string): boolean | undefined => {
    const seen = store.sessionsSeen?.get(id);
    return seen === undefined ? undefined : seen !== null;
  };
  for (const id of found) if (marked(id) === false) missing.add(id);
  const sessionIds = new Set(found.map((id) => kafka.get(id)!.sessionId));
  for (const sessionId of sessionIds) {
    const events = bySession.get(sessionId) ?? [];
    const stored = store.sessionEvents.get(sessionId) ?? 0;
    judgeUnit(tally, { sessionId, events }, stored, marked, accepted, missing, twice);
  }
  return finish(tally, found, missing, twice);
}

function aggregatesStage(
  found: readonly string[],
  accepted: ReadonlySet<string>,
  kafka: ReadonlyMap<string, KafkaEvent>,
  bySession: ReadonlyMap<string, KafkaEvent[]>,
  store: StoreFacts,
  itemsUnchecked: { count: number },
): StageTally {
  const tally = emptyTally();
  const missing = new Set<string>();
  const twice = new Set<string>();
  const marks = (id: string): number | undefined => store.aggregatesSeen?.get(id)?.filter((at) => at !== null).length;
  const prefixMarks = (id: string): number => store.prefixSeen?.get(id)?.filter((at) => at !== null).length ?? 0;
  for (const id of found) {
    const n = marks(id);
    if (n === 0) missing.add(id);
    // An event counts under one person, and its prefix copy (if any) under one user.
    const extra = Math.max(0, (n ?? 0) - 1) + Math.max(0, prefixMarks(id) - 1);
    if (extra > 0) {
      tally.extraCounts += extra;
      twice.add(id);
    }
  }
  const items = store.sessionItems;
  if (items !== undefined) {
    const sessionIds = new Set(found.map((id) => kafka.get(id)!.sessionId));
    for (const sessionId of sessionIds) {
      const views = (bySession.get(sessionId) ?? []).filter((e) => e.viewedProduct !== undefined);
      if (views.length === 0) continue;
      if (views.length > ITEMS_KEPT_PER_SESSION) {
        itemsUnchecked.count++;
        continue;
      }
      const stored = countOf(items.get(sessionId) ?? []);
      const byProduct = new Map<string, KafkaEvent[]>();
      for (const view of views) byProduct.set(view.viewedProduct!, [...(byProduct.get(view.viewedProduct!) ?? []), view]);
      const marked = (id: string): boolean | undefined => {
        const n = marks(id);
        return n === undefined ? undefined : n > 0;
      };
      for (const [productId, events] of byProduct) {
        // What the marks say was counted: once per partition that counted the event (at least once: a missing one shows as
        // missing by its mark), and once per prefix copy. An extra mark is counted above, not again as a unit's excess.
        const expected = events.reduce((n, e) => n + Math.max(1, marks(e.eventId) ?? 1) + prefixMarks(e.eventId), 0);
        judgeUnit(tally, { sessionId, productId, events, expected }, stored.get(productId) ?? 0, marked, accepted, missing, twice);
      }
      for (const [productId, n] of stored) {
        // A product the session never viewed in Kafka: counted from nowhere.
        if (!byProduct.has(productId)) {
          tally.sessionMismatches.push({ sessionId, productId, expected: 0, found: n });
          tally.extraCounts += n;
        }
      }
    }
  }
  return finish(tally, found, missing, twice);
}

function countOf(values: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
  return out;
}

function finish(tally: StageTally, found: readonly string[], missing: ReadonlySet<string>, twice: ReadonlySet<string>): StageTally {
  tally.missing = found.filter((id) => missing.has(id));
  tally.countedTwice = found.filter((id) => twice.has(id));
  tally.counted = found.length - tally.missing.length;
  return tally;
}
