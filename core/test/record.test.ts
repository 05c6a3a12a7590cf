import { describe, expect, it } from 'vitest';
import { decodeEventRecord, encodeDeadLetter, encodeEventRecord, validateEvent, type SessionflowEvent } from '../src/index.js';

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
