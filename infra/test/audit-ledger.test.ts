/**
 * The downstream ledger's counting, on plain facts: which accepted events are
 * in Kafka, counted once, twice or never, and what each stage's state shows.
 */
import { describe, expect, test } from 'vitest';
import { addEventRecord, emptyEventFacts } from '../src/audit/event-facts.js';
import { ITEMS_KEPT_PER_SESSION, tallyLedger, type KafkaEvent, type StoreFacts } from '../src/audit/ledger.js';

const PARTITIONS = 3;

/** Events e1..en of session `s`, device `a`; `views[i]` the product event i views. */
function session(sessionId: string, n: number, views: Record<number, string> = {}, prefix = sessionId): KafkaEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    eventId: `${prefix}-e${i + 1}`,
    sessionId,
    anonymousId: `dev-${sessionId}`,
    copies: 1,
    ...(views[i + 1] !== undefined ? { viewedProduct: views[i + 1]! } : {}),
  }));
}

const byId = (events: KafkaEvent[]): Map<string, KafkaEvent> => new Map(events.map((e) => [e.eventId, e]));

/** What a pipeline that counted every event exactly once stores: marks in partition `p` of each, counts and items as Kafka says. */
function countedOnce(events: KafkaEvent[], at = 1_000, p = 1): StoreFacts & { sessionsSeen: Map<string, number | null>; aggregatesSeen: Map<string, (number | null)[]>; sessionEvents: Map<string, number | null>; sessionItems: Map<string, string[]> } {
  const aggregates = (): (number | null)[] => Array.from({ length: PARTITIONS }, (_, i) => (i === p ? at : null));
  const sessionEvents = new Map<string, number | null>();
  const sessionItems = new Map<string, string[]>();
  for (const e of events) {
    sessionEvents.set(e.sessionId, (sessionEvents.get(e.sessionId) ?? 0) + 1);
    const items = sessionItems.get(e.sessionId) ?? [];
    if (e.viewedProduct !== undefined) items.push(e.viewedProduct);
    sessionItems.set(e.sessionId, items);
  }
  return {
    sessionsSeen: new Map(events.map((e) => [e.eventId, at])),
    aggregatesSeen: new Map(events.map((e) => [e.eventId, aggregates()])),
    sessionEvents,
    sessionItems,
  };
}

const ids = (events: KafkaEvent[]): string[] => events.map((e) => e.eventId);

describe('the ledger', () => {
  test('every accepted event in Kafka once and counted once by both stages: nothing missing, nothing twice', () => {
    const events = [...session('s1', 3, { 2: 'p1' }), ...session('s2', 2)];
    const report = tallyLedger(ids(events), byId(events), countedOnce(events));
    expect(report).toMatchObject({
      accepted: 5,
      inKafka: 5,
      missingFromKafka: [],
      duplicatesInKafka: 0,
      countedByPipeline: 5,
      missingFromPipeline: [],
      countedTwice: [],
      duplicateEffects: 0,
    });
    expect(report.stages.sessions.sessionMismatches).toEqual([]);
    expect(report.stages.aggregates.sessionMismatches).toEqual([]);
  });

  test('an accepted id Kafka does not hold is missing from Kafka and is not judged downstream', () => {
    const events = session('s1', 2);
    const report = tallyLedger([...ids(events), 'lost-1'], byId(events), countedOnce(events));
    expect(report.missingFromKafka).toEqual(['lost-1']);
    expect(report.inKafka).toBe(2);
    expect(report.missingFromPipeline).toEqual([]);
  });

  test('copies that travelled are counted apart, and the event still counts once downstream', () => {
    const events = session('s1', 2);
    events[0]!.copies = 3;
    const report = tallyLedger(ids(events), byId(events), countedOnce(events));
    expect(report.duplicatesInKafka).toBe(2);
    expect(report.countedTwice).toEqual([]);
    expect(report.countedByPipeline).toBe(2);
  });

  test('an accepted id listed twice is one event', () => {
    const events = session('s1', 1);
    expect(tallyLedger(['s1-e1', 's1-e1'], byId(events), countedOnce(events)).accepted).toBe(1);
  });

  test('a session that folded one event too few: the event without its mark is the one never counted', () => {
    const events = session('s1', 3);
    const store = countedOnce(events);
    store.sessionsSeen.set('s1-e2', null);
    store.sessionEvents.set('s1', 2);
    const report = tallyLedger(ids(events), byId(events), store);
    expect(report.missingFromPipeline).toEqual(['s1-e2']);
    expect(report.stages.sessions.missing).toEqual(['s1-e2']);
    expect(report.stages.aggregates.missing).toEqual([]);
    expect(report.stages.sessions.sessionMismatches).toEqual([{ sessionId: 's1', expected: 3, found: 2 }]);
    expect(report.countedByPipeline).toBe(2);
  });

  test('a session short of events while every mark is there: its accepted ids are named, since no mark says which', () => {
    const events = session('s1', 3);
    const store = countedOnce(events);
    store.sessionEvents.set('s1', 1);
    expect(tallyLedger(ids(events), byId(events), store).missingFromPipeline).toEqual(['s1-e1', 's1-e2', 's1-e3']);
  });

  test('a session counted past its events in Kafka holds a double count: its accepted ids are named, the excess counted', () => {
    const events = [...session('s1', 3), ...session('s2', 1)];
    const store = countedOnce(events);
    store.sessionEvents.set('s1', 5);
    const report = tallyLedger(ids(events), byId(events), store);
    expect(report.countedTwice).toEqual(['s1-e1', 's1-e2', 's1-e3']);
    expect(report.duplicateEffects).toBe(2);
    expect(report.missingFromPipeline).toEqual([]);
  });

  test('a session with events in Kafka that were never accepted expects them too', () => {
    const events = session('s1', 3);
    const report = tallyLedger(['s1-e1'], byId(events), countedOnce(events));
    expect(report.stages.sessions.sessionMismatches).toEqual([]);
    expect(report.countedByPipeline).toBe(1);
  });

  test('a session the stage does not hold: every event of it never counted there', () => {
    const events = session('s1', 2);
    const store = countedOnce(events);
    store.sessionEvents.set('s1', null);
    store.sessionsSeen.set('s1-e1', null);
    store.sessionsSeen.set('s1-e2', null);
    expect(tallyLedger(ids(events), byId(events), store).stages.sessions.missing).toEqual(['s1-e1', 's1-e2']);
  });

  test('an event marked in two by-user partitions was counted for two people: that event, one extra effect', () => {
    const events = session('s1', 3);
    const store = countedOnce(events);
    store.aggregatesSeen.set('s1-e3', [1_000, null, 2_000]);
    const report = tallyLedger(ids(events), byId(events), store);
    expect(report.countedTwice).toEqual(['s1-e3']);
    expect(report.stages.aggregates.extraCounts).toBe(1);
    expect(report.duplicateEffects).toBe(1);
  });

  test('an event the aggregates stage never marked is missing there', () => {
    const events = session('s1', 2);
    const store = countedOnce(events);
    store.aggregatesSeen.set('s1-e1', [null, null, null]);
    const report = tallyLedger(ids(events), byId(events), store);
    expect(report.missingFromPipeline).toEqual(['s1-e1']);
    expect(report.stages.aggregates.missing).toEqual(['s1-e1']);
    expect(report.stages.sessions.missing).toEqual([]);
  });

  test("a product twice in a session's item sequence for one view event: that view counted twice", () => {
    const events = session('s1', 4, { 1: 'p1', 3: 'p2', 4: 'p2' });
    const store = countedOnce(events);
    store.sessionItems.set('s1', ['p1', 'p2', 'p1', 'p2']);
    const report = tallyLedger(ids(events), byId(events), store);
    expect(report.countedTwice).toEqual(['s1-e1']);
    expect(report.stages.aggregates.sessionMismatches).toEqual([{ sessionId: 's1', productId: 'p1', expected: 1, found: 2 }]);
    expect(report.duplicateEffects).toBe(1);
  });

  test('a view missing from the item sequence, its mark missing too: that view never counted', () => {
    const events = session('s1', 3, { 1: 'p1', 2: 'p1' });
    const store = countedOnce(events);
    store.sessionItems.set('s1', ['p1']);
    store.aggregatesSeen.set('s1-e2', [null, null, null]);
    expect(tallyLedger(ids(events), byId(events), store).stages.aggregates.missing).toEqual(['s1-e2']);
  });

  test("a view re-sent under the user it turned out to be (its prefix copy counted) is in the user's sequence too", () => {
    const events = session('s1', 2, { 1: 'p1', 2: 'p2' });
    const store = countedOnce(events);
    const prefixSeen = new Map([['s1-e1', [null, null, 3_000]]]);
    // Counted once as the device's and once, as prefix, as the user's: two entries of p1 over the partitions.
    store.sessionItems.set('s1', ['p1', 'p2', 'p1']);
    const once = tallyLedger(ids(events), byId(events), { ...store, prefixSeen });
    expect(once.duplicateEffects).toBe(0);
    expect(once.countedTwice).toEqual([]);
    // Without the prefix mark the second entry is a double count.
    expect(tallyLedger(ids(events), byId(events), store).countedTwice).toEqual(['s1-e1']);
    // And with the mark but one entry only, the prefix copy's view is missing.
    store.sessionItems.set('s1', ['p1', 'p2']);
    expect(tallyLedger(ids(events), byId(events), { ...store, prefixSeen }).stages.aggregates.sessionMismatches).toEqual([{ sessionId: 's1', productId: 'p1', expected: 2, found: 1 }]);
  });

  test('a prefix copy counted in two partitions is counted for two users: that event, one extra effect', () => {
    const events = session('s1', 1, { 1: 'p1' });
    const store = countedOnce(events);
    store.sessionItems.set('s1', ['p1', 'p1', 'p1']);
    const report = tallyLedger(ids(events), byId(events), { ...store, prefixSeen: new Map([['s1-e1', [2_000, null, 3_000]]]) });
    expect(report.countedTwice).toEqual(['s1-e1']);
    expect(report.stages.aggregates.extraCounts).toBe(1);
  });

  test('a product in the item sequence that no event of the session viewed is an effect from nowhere', () => {
    const events = session('s1', 2, { 1: 'p1' });
    const store = countedOnce(events);
    store.sessionItems.set('s1', ['p1', 'p9']);
    const report = tallyLedger(ids(events), byId(events), store);
    expect(report.duplicateEffects).toBe(1);
    expect(report.stages.aggregates.sessionMismatches).toEqual([{ sessionId: 's1', productId: 'p9', expected: 0, found: 1 }]);
  });

  test('a session with more views than its item sequence keeps is not judged by it', () => {
    const n = ITEMS_KEPT_PER_SESSION + 1;
    const events = session('s1', n, Object.fromEntries(Array.from({ length: n }, (_, i) => [i + 1, `p${i}`])));
    const store = countedOnce(events);
    store.sessionItems.set('s1', store.sessionItems.get('s1')!.slice(-ITEMS_KEPT_PER_SESSION));
    const report = tallyLedger(ids(events), byId(events), store);
    expect(report.sessionsTooLongForItems).toBe(1);
    expect(report.missingFromPipeline).toEqual([]);
  });

  test('through the read API (no marks, no items): a short session names its accepted ids, a long one its excess', () => {
    const events = [...session('s1', 2), ...session('s2', 2)];
    const report = tallyLedger(ids(events), byId(events), { sessionEvents: new Map([['s1', 1], ['s2', 3]]) });
    expect(report.missingFromPipeline).toEqual(['s1-e1', 's1-e2']);
    expect(report.countedTwice).toEqual(['s2-e1', 's2-e2']);
    expect(report.duplicateEffects).toBe(1);
  });

  test('when the aggregates stage counted each event is its first mark', () => {
    const events = session('s1', 2);
    const store = countedOnce(events, 5_000, 2);
    store.aggregatesSeen.set('s1-e2', [null, 7_000, null]);
    const report = tallyLedger(ids(events), byId(events), store);
    expect([...report.appliedAt]).toEqual([
      ['s1-e1', 5_000],
      ['s1-e2', 7_000],
    ]);
  });
});

describe("the ledger's reading of sf.events", () => {
  const record = (fields: Record<string, unknown>): string => JSON.stringify({ schemaVersion: 1, anonymousId: 'dev-1', sessionId: 's1', page: { url: 'https://shop.example/' }, ...fields, ingest: { receivedAt: 1 } });

  test("copies of one id, the edge's decisions skipped, product views read as the aggregates stage reads them", () => {
    const facts = emptyEventFacts();
    addEventRecord(facts, record({ eventId: 'e1', type: 'page_view' }));
    addEventRecord(facts, record({ eventId: 'e1', type: 'page_view' }));
    addEventRecord(facts, record({ eventId: 'e2', type: 'click', element: { tag: 'a' }, product: { id: 'p1' } }));
    addEventRecord(facts, record({ eventId: 'e3', type: 'track', name: 'product_view', props: { productId: 'p2' } }));
    addEventRecord(facts, record({ eventId: 'e4', type: 'track', name: 'add_to_cart', props: { productId: 'p2' } }));
    addEventRecord(facts, record({ eventId: 'e5', type: 'click', element: { tag: 'a' } }));
    addEventRecord(facts, record({ id: 'd1', type: 'decision', ruleId: 'r', actionId: 'r:0' }));
    expect([...facts.events.values()]).toEqual([
      { eventId: 'e1', sessionId: 's1', anonymousId: 'dev-1', copies: 2 },
      { eventId: 'e2', sessionId: 's1', anonymousId: 'dev-1', copies: 1, viewedProduct: 'p1' },
      { eventId: 'e3', sessionId: 's1', anonymousId: 'dev-1', copies: 1, viewedProduct: 'p2' },
      { eventId: 'e4', sessionId: 's1', anonymousId: 'dev-1', copies: 1 },
      { eventId: 'e5', sessionId: 's1', anonymousId: 'dev-1', copies: 1 },
    ]);
    expect(facts.unreadable).toBe(0);
  });

  test("when the first copy was written is its record's timestamp", () => {
    const facts = emptyEventFacts();
    addEventRecord(facts, record({ eventId: 'e1', type: 'page_view' }), 5_000);
    addEventRecord(facts, record({ eventId: 'e1', type: 'page_view' }), 9_000);
    expect(facts.events.get('e1')).toMatchObject({ copies: 2, writtenAt: 5_000 });
    const report = tallyLedger(['e1'], facts.events, { sessionEvents: new Map([['s1', 1]]) });
    expect([...report.writtenAt]).toEqual([['e1', 5_000]]);
  });

  test('a record that is not an event is counted as unreadable', () => {
    const facts = emptyEventFacts();
    addEventRecord(facts, 'not json');
    addEventRecord(facts, null);
    addEventRecord(facts, JSON.stringify({ type: 'page_view' }));
    addEventRecord(facts, '[1]');
    expect(facts.unreadable).toBe(4);
    expect(facts.events.size).toBe(0);
  });
});
