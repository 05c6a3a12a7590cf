import { describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from '../src/kafka/client.js';
import { measuredSend } from '../src/kafka/producer.js';
import { createLogger } from '../src/log.js';
import { createCollectorMetrics } from '../src/metrics.js';

describe('kafkaLogCreator', () => {
  function setup() {
    const lines: string[] = [];
    let now = 0;
    const log = kafkaLogCreator(createLogger('info', (line) => lines.push(line)), () => now)(logLevel.WARN);
    const entry = (level: logLevel, message: string) =>
      log({ namespace: 'Connection', level, label: 'ERROR', log: { message, timestamp: '', logger: 'kafkajs', broker: '127.0.0.1:1' } });
    return { lines, entry, advance: (ms: number) => (now += ms) };
  }

  it('writes a kafkajs entry as one of our lines with its fields', () => {
    const { lines, entry } = setup();
    entry(logLevel.ERROR, 'Connection error: connect ECONNREFUSED');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ERROR collector: kafkajs Connection: Connection error: connect ECONNREFUSED \{"broker":"127.0.0.1:1"\}/);
  });

  it('writes a repeated message once per window, then again after it', () => {
    const { lines, entry, advance } = setup();
    for (let i = 0; i < 20; i++) {
      entry(logLevel.ERROR, 'Connection error: connect ECONNREFUSED');
      advance(100);
    }
    expect(lines).toHaveLength(1);
    advance(10_000);
    entry(logLevel.ERROR, 'Connection error: connect ECONNREFUSED');
    entry(logLevel.WARN, 'something else');
    expect(lines).toHaveLength(3);
  });
});

describe('measuredSend', () => {
  it('observes batch size and latency, by result', async () => {
    const metrics = createCollectorMetrics({ defaultMetrics: false });
    const ok = measuredSend(async () => undefined, metrics);
    const failing = measuredSend(async () => Promise.reject(new Error('nope')), metrics);
    const batch = [
      { topic: 'sf.events', messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] },
      { topic: 'sf.events.dlq', messages: [{ key: 'c', value: '3' }] },
    ];
    await ok(batch);
    await expect(failing(batch)).rejects.toThrow('nope');
    const text = await metrics.registry.metrics();
    expect(text).toContain('sessionflow_collector_produce_duration_seconds_count{result="ok"} 1');
    expect(text).toContain('sessionflow_collector_produce_duration_seconds_count{result="error"} 1');
    expect(text).toContain('sessionflow_collector_produce_batch_records_sum 6');
  });
});
