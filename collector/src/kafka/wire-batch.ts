/**
 * A send batch as the main thread hands it to the producer thread: every key
 * and value written once as UTF-8 into one buffer that is transferred, not
 * copied, plus the end offsets. Structured-cloning one string per key and
 * value cost both threads a copy per record, and kafkajs then encoded each
 * string to UTF-8 again; with bytes, kafkajs only copies them into the
 * request, and the partitioner hashes the key without encoding it.
 */
import type { TopicMessages } from '../ingest/batcher.js';

export interface WireBatch {
  /** `key0 value0 key1 value1 …` of all topics, in order. */
  bytes: ArrayBuffer;
  /** `ends[2i]` is where key i ends, `ends[2i + 1]` where value i ends. */
  ends: Uint32Array;
  /** Consecutive runs of records, one per topic. */
  topics: { topic: string; count: number }[];
}

/** The message kafkajs takes, with bytes instead of strings. */
export interface ByteMessage {
  key: Buffer;
  value: Buffer;
}

export function encodeWireBatch(topicMessages: readonly TopicMessages[]): WireBatch {
  let records = 0;
  let size = 0;
  for (const { messages } of topicMessages) {
    records += messages.length;
    for (const { key, value } of messages) size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  // Its own ArrayBuffer (not a slice of Node's pool), so it can be transferred.
  const bytes = Buffer.allocUnsafeSlow(size);
  const ends = new Uint32Array(records * 2);
  let offset = 0;
  let i = 0;
  for (const { messages } of topicMessages) {
    for (const { key, value } of messages) {
      offset += bytes.write(key, offset);
      ends[i++] = offset;
      offset += bytes.write(value, offset);
      ends[i++] = offset;
    }
  }
  return {
    bytes: bytes.buffer as ArrayBuffer,
    ends,
    topics: topicMessages.map(({ topic, messages }) => ({ topic, count: messages.length })),
  };
}

/** What to list in `postMessage`'s transfer list so nothing of the batch is copied. */
export function wireTransferList(batch: WireBatch): ArrayBuffer[] {
  return [batch.bytes, batch.ends.buffer as ArrayBuffer];
}

/** Views into the batch's buffer, one key and one value per record: no copy. */
export function decodeWireBatch(batch: WireBatch): { topic: string; messages: ByteMessage[] }[] {
  const { bytes, ends } = batch;
  let start = 0;
  let i = 0;
  return batch.topics.map(({ topic, count }) => {
    const messages = new Array<ByteMessage>(count);
    for (let r = 0; r < count; r++) {
      const keyEnd = ends[i++] as number;
      const valueEnd = ends[i++] as number;
      messages[r] = { key: Buffer.from(bytes, start, keyEnd - start), value: Buffer.from(bytes, keyEnd, valueEnd - keyEnd) };
      start = valueEnd;
    }
    return { topic, messages };
  });
}
