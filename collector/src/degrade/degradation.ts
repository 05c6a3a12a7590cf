/**
 * What `GET /v1/degradation` answers from: the collector's own level (stepped every second,
 * collector-level.ts) and the pipeline's reports (pipeline-watch.ts).
 */
import type { LevelState } from '@sessionflow/core';
import { degradationView, partLevel, type DegradationView } from './degradation-view.js';
import type { PipelineWatch } from './pipeline-watch.js';

export interface Degradation {
  view(now: number): Promise<DegradationView>;
}

export function degradation(collector: () => Pick<LevelState, 'level' | 'reason'>, pipeline: PipelineWatch): Degradation {
  return {
    async view(now) {
      return degradationView(partLevel(collector()), await pipeline.part(now));
    },
  };
}
