import { describe, expect, it } from 'vitest';
import { createPipelineMetrics, recordKafkaToRedis } from '../src/pipeline/metrics.js';

/** The value of one sample line of the registry's text, or undefined. */
async function sample(metrics: ReturnType<typeof createPipelineMetrics>, line: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(found.lastIndexOf(' ') + 1));
}

describe('the Kafka → Redis histogram', () => {
  it('observes each record from the given index on, by its Kafka timestamp, under its stage', async () => {
    const metrics = createPipelineMetrics({ defaultMetrics: false });
    const appliedAt = 1_700_000_010_000;
    // The first record was applied by an earlier batch: left out.
    const records = [{ timestamp: String(appliedAt - 60_000) }, { timestamp: String(appliedAt - 3) }, { timestamp: String(appliedAt - 40) }, { timestamp: String(appliedAt - 2_000) }];
    recordKafkaToRedis(metrics, 'identity', records, 1, appliedAt);
    expect(await sample(metrics, 'sessionflow_pipeline_kafka_to_redis_seconds_count{stage="identity"}')).toBe(3);
    expect(await sample(metrics, 'sessionflow_pipeline_kafka_to_redis_seconds_sum{stage="identity"}')).toBeCloseTo(2.043, 9);
    expect(await sample(metrics, 'sessionflow_pipeline_kafka_to_redis_seconds_bucket{le="0.005",stage="identity"}')).toBe(1);
    expect(await sample(metrics, 'sessionflow_pipeline_kafka_to_redis_seconds_bucket{le="0.05",stage="identity"}')).toBe(2);
    expect(await sample(metrics, 'sessionflow_pipeline_kafka_to_redis_seconds_bucket{le="2.5",stage="identity"}')).toBe(3);
    expect(await sample(metrics, 'sessionflow_pipeline_kafka_to_redis_seconds_count{stage="sessions"}')).toBeUndefined();
  });

  it('leaves out a record without a timestamp, and counts one from a clock ahead as no wait', async () => {
    const metrics = createPipelineMetrics({ defaultMetrics: false });
    recordKafkaToRedis(metrics, 'aggregates', [{ timestamp: '' }, { timestamp: 'x' }, { timestamp: '1700000000500' }], 0, 1_700_000_000_000);
    expect(await sample(metrics, 'sessionflow_pipeline_kafka_to_redis_seconds_count{stage="aggregates"}')).toBe(1);
    expect(await sample(metrics, 'sessionflow_pipeline_kafka_to_redis_seconds_sum{stage="aggregates"}')).toBe(0);
  });
});
