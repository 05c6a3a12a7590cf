import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { decodeWireBatch, encodeWireBatch, wireTransferList } from '../src/kafka/wire-batch.js';

describe('wire batch', () => {
  const batch = [
    { topic: 'sf.events', messages: [{ key: 'anon-aaaaaaaa', value: '{"text":"Grüße 👋"}' }, { key: 'anon-bbbbbbbb', value: '' }] },
    { topic: 'sf.events.dlq', messages: [{ key: 'unknown', value: '{"errors":[]}' }] },
  ];

  it('gives the producer thread the same topics, keys and values, in order, as UTF-8 bytes', () => {
    const decoded = decodeWireBatch(encodeWireBatch(batch));
    const asText = decoded.map(({ topic, messages }) => ({
      topic,
      messages: messages.map(({ key, value }) => ({ key: key.toString('utf8'), value: value.toString('utf8') })),
    }));
    expect(asText).toEqual(batch);
  });

  it('survives a transfer to another thread', async () => {
    const wire = encodeWireBatch(batch);
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<typeof wire>((resolve) => port2.once('message', resolve));
    port1.postMessage(wire, wireTransferList(wire));
    const copy = await received;
    port1.close();
    expect(wire.bytes.byteLength).toBe(0); // transferred, not copied
    expect(decodeWireBatch(copy)[0]?.messages[0]?.value.toString()).toBe('{"text":"Grüße 👋"}');
  });
});
