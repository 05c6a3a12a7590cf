/**
 * Erasure marks (src/erasure/marks.ts): an HMAC of the ref, so a marker names
 * no one, and a life longer than any record of the person can stay in a topic.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceRef, userRef } from '@sessionflow/core';
import { erasureMark, erasureMarks, MARK_PATTERN } from '../../src/erasure/marks.js';
import { DAY_MS, DEFAULT_TOPIC_BOUNDS, erasureMarkerLifeMs, erasuresRetentionMs, longestPersonalDataLifeMs } from '../../src/kafka/topic-bounds.js';

describe('erasureMark', () => {
  it('is the hex HMAC-SHA256 of the ref with the erasure secret', () => {
    expect(erasureMark('secret-one', 'u:alice')).toBe(createHmac('sha256', 'secret-one').update('u:alice').digest('hex'));
    expect(erasureMark('secret-one', 'u:alice')).toMatch(MARK_PATTERN);
  });

  it('tells a user from a device of the same id, and depends on the secret', () => {
    expect(erasureMark('s', userRef('same-id'))).not.toBe(erasureMark('s', deviceRef('same-id')));
    expect(erasureMark('s', userRef('same-id'))).not.toBe(erasureMark('t', userRef('same-id')));
  });

  it('is made of refs only, and says so without the id', () => {
    for (const raw of ['alice', 'X:affinities', '', 'u:']) expect(() => erasureMark('s', raw)).toThrow(/profile ref/);
    expect(() => erasureMark('s', 'secret-user-id')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-user-id') }));
  });
});

describe('erasureMarks', () => {
  const marks = erasureMarks('t', 'marks-test-secret');

  it('names a marker by the mark alone, whatever the id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom(userRef, deviceRef), fc.constantFrom('t.events', 't.events.by-user'), fc.nat(63), (id, refOf, topic, partition) => {
        const ref = refOf(id);
        const here = marks.at(topic, partition);
        // In the slot of the partition whose stages guard it: its hash tag, then the mark.
        expect(here.key(ref)).toBe(`t:{${topic}:${partition}}:erased:${erasureMark('marks-test-secret', ref)}`);
        expect(here.keyOfMark(marks.mark(ref))).toBe(here.key(ref));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same mark every time (remembered or not), and refuses a key from anything but a mark', () => {
    const first = marks.mark('a:device-1');
    for (let i = 0; i < 3; i++) expect(marks.mark('a:device-1')).toBe(first);
    expect(() => marks.at('t.events', 0).keyOfMark('a:device-1')).toThrow(/64 hex/);
    expect(() => marks.at('t.events', 0).key('device-1')).toThrow(/profile ref/);
  });

  it('names the record of an unfinished erasure by the user\'s mark', () => {
    expect(marks.pendingKey('u:alice')).toBe(`t:erasure:pending:${marks.mark('u:alice')}`);
  });
});

describe('how long a marker lives', () => {
  it('outlives every record of the person in any topic, and the erasures topic keeps it longer still', () => {
    const bounds = { ...DEFAULT_TOPIC_BOUNDS, eventsRetentionMs: 30 * DAY_MS, stateRetentionMs: 10 * DAY_MS, segmentMs: 2 * DAY_MS };
    // 30 days of events, a segment of 2 days, the 5-minute retention check: a record of the person lives at most that long.
    expect(longestPersonalDataLifeMs(bounds)).toBe(32 * DAY_MS + 5 * 60_000);
    expect(erasureMarkerLifeMs(bounds)).toBeGreaterThan(longestPersonalDataLifeMs(bounds));
    expect(erasuresRetentionMs(bounds)).toBeGreaterThan(erasureMarkerLifeMs(bounds));
    // The default: longer than the 90 days the compacted topics keep a profile, not the 30 days of old.
    expect(erasureMarkerLifeMs(DEFAULT_TOPIC_BOUNDS)).toBeGreaterThan(91 * DAY_MS);
  });
});
