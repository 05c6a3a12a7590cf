import { describe, expect, it } from 'vitest';
import { topicNames } from '@sessionflow/core';
import { buildRecords } from '../src/ingest/records.js';
import { click, envelope, NOW, pageView } from './fakes.js';

describe('buildRecords', () => {
  it('keeps the order of the envelope for valid events and dead-letters the others with the metadata', () => {
    const events = [pageView('anon-aaaaaaaa'), { type: 'page_view' }, click('anon-aaaaaaaa', 'p-1'), pageView('anon-bbbbbbbb')];
    const env = envelope(events) as Parameters<typeof buildRecords>[0];
    const { records, accepted, deadLettered } = buildRecords(env, topicNames('sf'), NOW);
    expect([accepted, deadLettered]).toEqual([3, 1]);
    expect(records.map((r) => [r.topic, r.key])).toEqual([
      ['sf.events', 'anon-aaaaaaaa'],
      ['sf.events', 'anon-aaaaaaaa'],
      ['sf.events', 'anon-bbbbbbbb'],
      ['sf.events.dlq', 'unknown'],
    ]);
    const letter = JSON.parse(records[3]?.value ?? '{}') as Record<string, unknown>;
    expect(letter).toMatchObject({ siteKey: 'demo-site-key', receivedAt: NOW - 500, ingestedAt: NOW, event: { type: 'page_view' } });
    expect((letter['errors'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('stamps the device class the edge relayed on every event, and none when it sent none', () => {
    const withDevice = { ...(envelope([pageView('anon-aaaaaaaa'), pageView('anon-bbbbbbbb')]) as object), device: 'tablet' } as Parameters<typeof buildRecords>[0];
    const stamped = buildRecords(withDevice, topicNames('sf'), NOW).records.map((r) => (JSON.parse(r.value) as { ingest: Record<string, unknown> }).ingest);
    expect(stamped.map((meta) => meta['device'])).toEqual(['tablet', 'tablet']);
    const without = buildRecords(envelope([pageView('anon-aaaaaaaa')]) as Parameters<typeof buildRecords>[0], topicNames('sf'), NOW).records;
    expect('device' in (JSON.parse(without[0]!.value) as { ingest: object }).ingest).toBe(false);
  });
});
