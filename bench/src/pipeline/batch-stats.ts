/**
 * What the pipeline's own /metrics say about its batches: how many each stage
 * applied, how long they took (reads, script and sends included), and how many
 * records they applied. With the throughput window, it tells whether a
 * deployment makes batches slower, or smaller and more numerous.
 */

export interface StageBatches {
  batches: number;
  /** Sum of the batches' durations. */
  seconds: number;
  /** Records applied (outcome "applied", over every topic of the stage). */
  records: number;
}

/** Per stage, from the Prometheus text of the pipeline's /metrics. */
export function batchStats(metrics: string): Map<string, StageBatches> {
  const out = new Map<string, StageBatches>();
  const of = (stage: string): StageBatches => {
    const found = out.get(stage) ?? { batches: 0, seconds: 0, records: 0 };
    out.set(stage, found);
    return found;
  };
  for (const line of metrics.split('\n')) {
    const sample = /^(sessionflow_pipeline_[a-z_]+)\{([^}]*)\} (\S+)$/.exec(line.trim());
    if (!sample) continue;
    const [, name, labelText, valueText] = sample;
    const labels = new Map([...labelText!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const stage = labels.get('stage');
    const value = Number(valueText);
    if (stage === undefined || !Number.isFinite(value)) continue;
    if (name === 'sessionflow_pipeline_batch_duration_seconds_count') of(stage).batches += value;
    else if (name === 'sessionflow_pipeline_batch_duration_seconds_sum') of(stage).seconds += value;
    else if (name === 'sessionflow_pipeline_records_total' && labels.get('outcome') === 'applied') of(stage).records += value;
  }
  return out;
}

/** The pipeline's /metrics, read once. */
export async function scrapeBatches(pipelineUrl: string): Promise<Map<string, StageBatches>> {
  const res = await fetch(`${pipelineUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`the pipeline's /metrics answered ${res.status}`);
  return batchStats(await res.text());
}
