import { describe, expect, it } from 'vitest';
import {
  MAX_RELAYED_DECISIONS,
  decidedOf,
  encodeDecisionRecord,
  isDecisionRecord,
  validateDecided,
  validateEvent,
  validateRelayEnvelope,
  type Decided,
} from '../src/index.js';

const decided: Decided = { id: 'd-1', at: 1_795_300_000_000, ruleId: 'cart-offer', actionId: 'cart-offer:0', kind: 'offer', slot: 'offer', experiment: 'offer-copy', variant: 'b' };
const envelope = { relayVersion: 1, siteKey: 'site', receivedAt: 1_795_300_000_000, events: [] };

describe('decidedOf', () => {
  it('takes the rule, the action id, the kind and the slot, experiment and variant the action has', () => {
    expect(decidedOf({ id: 'banner-rule:0', ruleId: 'banner-rule', kind: 'banner', slot: 'banner' }, 5, 'x-1')).toEqual({
      id: 'x-1',
      at: 5,
      ruleId: 'banner-rule',
      actionId: 'banner-rule:0',
      kind: 'banner',
      slot: 'banner',
    });
    const withVariant = decidedOf({ id: 'r:1', ruleId: 'r', kind: 'recs', slot: 'recs', experiment: 'e', variant: 'v' }, 7, 'x-2');
    expect(withVariant.experiment).toBe('e');
    expect(withVariant.variant).toBe('v');
    expect(validateDecided(withVariant).ok).toBe(true);
  });
});

describe('the relay envelope with decisions', () => {
  it('takes decisions and the edge report', () => {
    const result = validateRelayEnvelope({ ...envelope, decisions: [decided], edge: { outboxDepth: 3, decideMs: 1.5 } });
    expect(result.ok && result.value.decisions).toEqual([decided]);
    expect(result.ok && result.value.edge).toEqual({ outboxDepth: 3, decideMs: 1.5 });
  });

  it('stays valid without them (an edge of before)', () => {
    const result = validateRelayEnvelope(envelope);
    expect(result.ok && result.value.decisions).toBeUndefined();
  });

  it(`refuses more than ${MAX_RELAYED_DECISIONS} decisions, naming the field`, () => {
    const many = Array.from({ length: MAX_RELAYED_DECISIONS + 1 }, (_, i) => ({ ...decided, id: `d-${i}` }));
    const result = validateRelayEnvelope({ ...envelope, decisions: many });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]?.field).toBe('decisions');
  });

  it('names the field of a bad decision and of a bad report', () => {
    const noRule = { ...decided } as Partial<Decided>;
    delete noRule.ruleId;
    const bad = validateRelayEnvelope({ ...envelope, decisions: [decided, noRule] });
    expect(!bad.ok && bad.errors[0]).toEqual({ field: 'decisions.1.ruleId', reason: 'is required' });
    const extra = validateRelayEnvelope({ ...envelope, decisions: [{ ...decided, html: '<b>' }] });
    expect(!extra.ok && extra.errors[0]?.field).toBe('decisions.0.html');
    const depth = validateRelayEnvelope({ ...envelope, edge: { outboxDepth: -1, decideMs: 0 } });
    expect(!depth.ok && depth.errors[0]?.field).toBe('edge.outboxDepth');
  });

  it('takes the level the decisions were made at, and refuses one that is not a level, naming the field', () => {
    const result = validateRelayEnvelope({ ...envelope, edge: { outboxDepth: 1, decideMs: 0, level: 'live_only' } });
    expect(result.ok && result.value.edge?.level).toBe('live_only');
    const bad = validateRelayEnvelope({ ...envelope, edge: { outboxDepth: 1, decideMs: 0, level: 'degraded' } });
    expect(!bad.ok && bad.errors[0]?.field).toBe('edge.level');
  });
});

describe('a decision is never an event of the browser', () => {
  it('is refused by the event schema', () => {
    const asEvent = { schemaVersion: 1, type: 'decision', eventId: 'evt-00000001', anonymousId: 'anon-0000001', sessionId: 'sess-0000001', timestamp: 1_795_300_000_000, page: { url: 'https://shop.example/' }, ...decided };
    const result = validateEvent(asEvent);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]?.field).toBe('type');
  });
});

describe('the decision record', () => {
  it('is keyed by the anonymous id and carries the session, the decision and the ingest meta', () => {
    const meta = { siteKey: 'site', receivedAt: 1, ingestedAt: 2 };
    const record = encodeDecisionRecord(decided, { anonymousId: 'anon-0000001', sessionId: 'sess-0000001' }, meta);
    expect(record.key).toBe('anon-0000001');
    const value: unknown = JSON.parse(record.value);
    expect(value).toEqual({ type: 'decision', anonymousId: 'anon-0000001', sessionId: 'sess-0000001', ...decided, ingest: meta });
    expect(isDecisionRecord(value)).toBe(true);
    expect(isDecisionRecord({ type: 'page_view' })).toBe(false);
    expect(isDecisionRecord(null)).toBe(false);
  });
});
