import { describe, expect, it } from 'vitest';
import { decodeEventRecord, encodeDeadLetter, encodeEventRecord, eventRecordEncoder, validateEvent, type SessionflowEvent } from '../src/index.js';

const event: SessionflowEvent = {
  schemaVersion: 1,
  type: 'click',
  eventId: 'evt-00000001',
  anonymousId: 'anon-0000001',
  sessionId: 'sess-0000001',
  timestamp: 1_795_300_000_000,
  page: { url: 'https://shop.example/' },
  element: { tag: 'button' },
  product: { id: 'sku-1001' },
};

describe('event record codec', () => {
  it('keys by anonymous id and round-trips the event with its ingest metadata', () => {
    const meta = { siteKey: 'site', receivedAt: 1, ingestedAt: 2 };
    const record = encodeEventRecord(event, meta);
    expect(record.key).toBe('anon-0000001');
    const back = decodeEventRecord(record.value);
    expect(back.ingest).toEqual(meta);
    const { ingest: _ingest, ...plain } = back;
    expect(plain).toEqual(event);
    expect(validateEvent(plain).ok).toBe(true);
  });

  it('keys a dead letter by the bad event’s anonymous id when it has one, and keeps the reason', () => {
    const letter = { errors: [{ field: 'page.url', reason: 'must be an absolute URL' }], event: { anonymousId: 'anon-x' }, siteKey: 's', receivedAt: 1, ingestedAt: 2 };
    const record = encodeDeadLetter(letter);
    expect(record.key).toBe('anon-x');
    expect(JSON.parse(record.value)).toEqual(letter);
    expect(encodeDeadLetter({ ...letter, event: 'garbage' }).key).toBe('unknown');
  });
});

describe('eventRecordEncoder', () => {
  it('writes, for each event of a batch, the same JSON as the event with its metadata', () => {
    const meta = { siteKey: 'site "quoted"', receivedAt: 10, ingestedAt: 20 };
    const encode = eventRecordEncoder(meta);
    const other: SessionflowEvent = { ...event, type: 'page_view', eventId: 'evt-00000002', anonymousId: 'anon-0000002' } as SessionflowEvent;
    for (const e of [event, other]) {
      const record = encode(e);
      expect(record.key).toBe(e.anonymousId);
      expect(JSON.parse(record.value)).toEqual({ ...e, ingest: meta });
    }
  });
});
