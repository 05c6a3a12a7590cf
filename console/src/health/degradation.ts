/**
 * Each part's degradation level for the Health page: the levels from the parts' gauges (prometheus.ts), the
 * reasons from the collector's `GET /v1/degradation`, which names the signal that set the collector's and the
 * pipeline's level. A gauge does not carry a reason, and the edge reports its level without one.
 *
 * Where the two disagree for a moment (they are read a second apart), the gauge's level stands without a
 * reason. Where the gauge is missing (the pipeline's metrics could not be read), the collector's view stands:
 * a pipeline that stopped reporting is `popularity`, `pipeline_silent`, there. And a pipeline the collector
 * counts as silent is shown so even when its own metrics still answer: the edge decides by the collector's view.
 */
import type { DegradationView, PartLevel } from '../shared/contract.js';
import type { DegradationParts, PartDegradation } from '../shared/feeds.js';

const PIPELINE_SILENT = 'pipeline_silent';

function part(gauge: PartDegradation | null, told: PartLevel | null | undefined): PartDegradation | null {
  if (told === null || told === undefined) return gauge;
  const fromCollector: PartDegradation = told.reason === undefined ? { level: told.level } : { level: told.level, reason: told.reason };
  if (gauge === null || told.reason === PIPELINE_SILENT) return fromCollector;
  return gauge.level === told.level ? fromCollector : { level: gauge.level };
}

export function withReasons(gauges: DegradationParts, answer: DegradationView | null): DegradationParts {
  return {
    edge: gauges.edge,
    collector: part(gauges.collector, answer?.parts.collector),
    pipeline: part(gauges.pipeline, answer?.parts.pipeline),
  };
}
