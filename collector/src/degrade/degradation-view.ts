/**
 * `GET /v1/degradation`'s answer, from the collector's own level and the pipeline instances' reports (pure):
 * the edge asks it, and decides at the worst of its own level and this one.
 *
 * The pipeline's part is the worst of its instances' fresh reports. A report older than `SILENT_AFTER_MS`
 * (an instance stopped, stalled or cut off from Redis), or no report left once one was seen, counts as
 * `popularity` with reason `pipeline_silent`: the pipeline may be behind and nobody says so. No report ever
 * seen is a stack without a pipeline: `null`.
 */
import { levelRank, worseLevel, type Level, type LevelState } from '@sessionflow/core';
import { SILENT_AFTER_MS, type PipelineReport } from './pipeline-report.js';

export const PIPELINE_SILENT = 'pipeline_silent';

export interface PartLevel {
  level: Level;
  reason?: string;
}

export interface PipelinePart extends PartLevel {
  /** The worst lag of the reporting instances, seconds. */
  lagS?: number;
  /** When the report was measured (epoch ms, the pipeline's clock); for a silent pipeline, its latest report. */
  at?: number;
}

export interface DegradationView {
  /** The worst of the parts. */
  level: Level;
  parts: { collector: PartLevel; pipeline: PipelinePart | null };
}

export function partLevel(state: Pick<LevelState, 'level' | 'reason'>): PartLevel {
  return state.reason === undefined || state.level === 'full' ? { level: state.level } : { level: state.level, reason: state.reason };
}

/**
 * The pipeline's part from the reports read now (one per instance), `lastSeenAt` the newest report this
 * collector ever read (undefined: none yet).
 */
export function pipelinePart(reports: readonly PipelineReport[], lastSeenAt: number | undefined, now: number): PipelinePart | null {
  if (reports.length === 0 && lastSeenAt === undefined) return null;
  const fresh = reports.filter((r) => now - r.at <= SILENT_AFTER_MS);
  const stale = reports.filter((r) => now - r.at > SILENT_AFTER_MS);
  // Silent since the newest report of the silent ones (of all, when every instance is).
  const silentSince = Math.max(...(fresh.length === 0 ? [lastSeenAt ?? -Infinity] : []), ...stale.map((r) => r.at));
  const silent: PipelinePart = { level: 'popularity', reason: PIPELINE_SILENT, at: silentSince };
  if (fresh.length === 0) return silent;
  let worst = fresh[0] as PipelineReport;
  for (const r of fresh) if (levelRank(r.level) > levelRank(worst.level) || (r.level === worst.level && r.lagS > worst.lagS)) worst = r;
  const part: PipelinePart = { level: worst.level, ...(worst.reason !== null && worst.level !== 'full' ? { reason: worst.reason } : {}), lagS: Math.max(...fresh.map((r) => r.lagS)), at: worst.at };
  // An instance gone quiet beside others that report: its partitions wait until the group moves them.
  return stale.length > 0 && levelRank(silent.level) > levelRank(part.level) ? silent : part;
}

export function degradationView(collector: PartLevel, pipeline: PipelinePart | null): DegradationView {
  return { level: pipeline === null ? collector.level : worseLevel(collector.level, pipeline.level), parts: { collector, pipeline } };
}
