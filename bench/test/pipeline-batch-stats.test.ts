import { describe, expect, it } from 'vitest';
import { batchStats } from '../src/pipeline/batch-stats.js';

// As prom-client writes them (a histogram's buckets, sum and count; a counter by stage, topic and outcome).
const metrics = `# HELP sessionflow_pipeline_batch_duration_seconds Time to apply one topic-partition batch to Redis, reads and retries included.
# TYPE sessionflow_pipeline_batch_duration_seconds histogram
sessionflow_pipeline_batch_duration_seconds_bucket{le="0.001",stage="identity"} 0
sessionflow_pipeline_batch_duration_seconds_bucket{le="+Inf",stage="identity"} 40
sessionflow_pipeline_batch_duration_seconds_sum{stage="identity"} 2.5
sessionflow_pipeline_batch_duration_seconds_count{stage="identity"} 40
sessionflow_pipeline_batch_duration_seconds_sum{stage="aggregates"} 1.25
sessionflow_pipeline_batch_duration_seconds_count{stage="aggregates"} 10
# TYPE sessionflow_pipeline_records_total counter
sessionflow_pipeline_records_total{stage="identity",topic="bench.events",outcome="applied"} 1000
sessionflow_pipeline_records_total{stage="identity",topic="bench.events",outcome="duplicate"} 7
sessionflow_pipeline_records_total{stage="aggregates",topic="bench.events.by-user",outcome="applied"} 900
sessionflow_pipeline_records_total{stage="aggregates",topic="bench.products",outcome="applied"} 200
process_cpu_seconds_total 12
`;

describe('batchStats', () => {
  it('gives each stage its batches, their time and the records they applied', () => {
    const stats = batchStats(metrics);
    expect(stats.get('identity')).toEqual({ batches: 40, seconds: 2.5, records: 1000 });
    expect(stats.get('aggregates')).toEqual({ batches: 10, seconds: 1.25, records: 1100 });
    expect(stats.has('sessions')).toBe(false);
  });

  it('finds nothing in metrics without the pipeline', () => {
    expect(batchStats('process_cpu_seconds_total 12\n').size).toBe(0);
  });
});
