import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kafkajsProduceRequestV3, produceRequestV3, type ProduceRequestArgs } from '../src/kafka/produce-request.js';

const hex = async (request: { encode(): Promise<{ buf: Buffer; offset: number }> }) => {
  const encoder = await request.encode();
  return encoder.buf.subarray(0, encoder.offset).toString('hex');
};

const value = (i: number) => JSON.stringify({ type: 'click', seq: i, text: 'Grüße 👋', padding: 'x'.repeat(i * 7) });
const messages = (n: number, asBuffers = false) =>
  Array.from({ length: n }, (_, i) =>
    asBuffers ? { key: Buffer.from(`anon-${i % 3}-aaaaaaaa`), value: Buffer.from(value(i)) } : { key: `anon-${i % 3}-aaaaaaaa`, value: value(i) },
  );
const base = { acks: -1, timeout: 30_000, producerId: 4_000_000_123, producerEpoch: 7 };

describe('produceRequestV3', () => {
  // Both encoders stamp the batch with Date.now().
  beforeEach(() => void vi.useFakeTimers({ now: 1_763_000_000_000 }));
  afterEach(() => void vi.useRealTimers());

  const cases: { name: string; args: ProduceRequestArgs }[] = [
    {
      name: 'two topics, several partitions, string records',
      args: {
        ...base,
        topicData: [
          { topic: 'sf.events', partitions: [{ partition: 0, firstSequence: 41, messages: messages(5) }, { partition: 2, firstSequence: 2_000_000, messages: messages(300) }] },
          { topic: 'sf.events.dlq', partitions: [{ partition: 1, messages: [{ key: 'unknown', value: '{"errors":[]}' }] }] },
        ],
      },
    },
    { name: 'Buffer records', args: { ...base, topicData: [{ topic: 'sf.events', partitions: [{ partition: 1, firstSequence: 3, messages: messages(20, true) }] }] } },
    { name: 'null keys and values, no producer id', args: { acks: 1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: null, value: null }, { value: '' }] }] }] } },
    { name: 'transactional', args: { ...base, transactionalId: 'tx-1', topicData: [{ topic: 't', partitions: [{ partition: 0, messages: messages(3) }] }] } },
    { name: 'a record over 64 KiB', args: { ...base, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'y'.repeat(70_000) }] }] }] } },
    { name: 'headers (left to kafkajs)', args: { ...base, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', headers: { trace: 'abc' } }] }] }] } },
    { name: 'timestamps (left to kafkajs)', args: { ...base, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', timestamp: 5 }] }] }] } },
  ];

  it.each(cases)('writes the bytes kafkajs writes: $name', async ({ args }) => {
    expect(await hex(produceRequestV3(args))).toBe(await hex(kafkajsProduceRequestV3(args)));
  });

  it('keeps the rest of the request as kafkajs has it', () => {
    const pick = ({ apiKey, apiVersion, apiName, expectResponse }: ReturnType<typeof produceRequestV3>) => ({ apiKey, apiVersion, apiName, expects: expectResponse() });
    expect(pick(produceRequestV3(cases[0]!.args))).toEqual(pick(kafkajsProduceRequestV3(cases[0]!.args)));
  });

  it('encodes the usual requests itself, into a buffer of exactly their size', async () => {
    // kafkajs's encoders grow by powers of two: an exact fit shows the request did not fall back to them.
    const encoder = await produceRequestV3(cases[0]!.args).encode();
    expect(encoder.buf.length).toBe(encoder.offset);
  });
});
