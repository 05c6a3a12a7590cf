import { describe, expect, it } from 'vitest';
import { validateEvent, partitionEvents, validateCollectBatch, EVENT_TYPES } from '../src/index.js';
import cases from './cases/events.json' with { type: 'json' };

type Obj = Record<string, unknown>;
const build = (over: Obj): Obj => {
  const base = cases.base as Obj;
  const out: Obj = { ...base, ...over, page: { ...(base.page as Obj), ...((over.page as Obj | undefined) ?? {}) } };
  // `null` in a case means "leave the field out".
  for (const [k, v] of Object.entries(over)) if (v === null) delete out[k];
  return out;
};

describe('event schema v1', () => {
  it.each(cases.valid)('accepts $name', ({ event }) => {
    const result = validateEvent(build(event));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it.each(cases.invalid)('refuses $name, naming $field', ({ event, field }) => {
    const result = validateEvent(build(event));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toContain(field);
    for (const error of result.errors) expect(error.reason.length).toBeGreaterThan(3);
  });

  it('covers every event type with a valid case', () => {
    const covered = new Set(cases.valid.map((c) => c.event.type));
    expect([...EVENT_TYPES].filter((t) => !covered.has(t))).toEqual([]);
  });

  it('names the event itself when the input is not an object', () => {
    const result = validateEvent('page_view');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.field).toBe('(event)');
  });
});

describe('partitionEvents', () => {
  it('keeps the good events and names the bad ones by index', () => {
    const good = build({ type: 'page_view' });
    const bad = build({ type: 'scroll', depth: 'deep' });
    const out = partitionEvents([good, bad, { ...good, eventId: 'another-event-id-1' }]);
    expect(out.accepted.map((e) => e.eventId)).toEqual([good.eventId, 'another-event-id-1']);
    expect(out.acceptedIndexes).toEqual([0, 2]);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]?.index).toBe(1);
    expect(out.rejected[0]?.errors[0]?.field).toBe('depth');
  });
});

describe('collect batch envelope', () => {
  it('accepts events with an optional sentAt', () => {
    expect(validateCollectBatch({ events: [{}], sentAt: 1795300000000 }).ok).toBe(true);
  });
  it.each([
    ['no events field', {}, 'events'],
    ['events not an array', { events: {} }, 'events'],
    ['an empty batch', { events: [] }, 'events'],
    ['too many events', { events: Array.from({ length: 501 }, () => ({})) }, 'events'],
  ])('refuses %s', (_name, input, field) => {
    const result = validateCollectBatch(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.field).toBe(field);
  });
});

describe('reasons a sender can act on', () => {
  it('says a missing field is required and an unknown one is not a field', () => {
    const missing = validateEvent(build({ type: 'identify' }));
    const unknown = validateEvent(build({ type: 'page_view', password: 'hunter2' }));
    expect(missing.ok ? [] : missing.errors).toEqual([{ field: 'userId', reason: 'is required' }]);
    expect(unknown.ok ? [] : unknown.errors).toEqual([{ field: 'password', reason: 'is not a field of this event' }]);
  });
});
