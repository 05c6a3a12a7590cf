/**
 * How the collector reads the pipeline's reports: one HGETALL of the reports' key, at most once per
 * `cacheMs` however many ask (the edge polls every 2 s per isolate, the console too), and the newest report
 * ever read remembered, so a pipeline that goes quiet is told from one that never ran. A read that fails
 * (Redis down) keeps the reports read last: as they age, the pipeline counts as silent, which it is for
 * anyone who cannot read it.
 */
import type { Logger } from '../log.js';
import type { StoreClient } from '../store/client.js';
import { pipelinePart, type PipelinePart } from './degradation-view.js';
import { parsePipelineReport, pipelineReportsKey, type PipelineReport } from './pipeline-report.js';

export const REPORTS_CACHE_MS = 1_000;

export interface PipelineWatch {
  /** The pipeline's part now: null while no report was ever read (or without a store). */
  part(now: number): Promise<PipelinePart | null>;
}

/** A collector without REDIS_URL cannot see a pipeline. */
export const NO_PIPELINE: PipelineWatch = { part: () => Promise.resolve(null) };

export function pipelineWatch(redis: Pick<StoreClient, 'hGetAll'>, prefix: string, logger: Logger, cacheMs = REPORTS_CACHE_MS): PipelineWatch {
  const key = pipelineReportsKey(prefix);
  let reports: PipelineReport[] = [];
  let lastSeenAt: number | undefined;
  let readAt = -Infinity;
  let reading: Promise<void> | undefined;
  let failing = false;

  const read = async (now: number): Promise<void> => {
    try {
      const stored = await redis.hGetAll(key);
      reports = Object.values(stored)
        .map(parsePipelineReport)
        .filter((r): r is PipelineReport => r !== null);
      for (const r of reports) lastSeenAt = Math.max(lastSeenAt ?? r.at, r.at);
      if (failing) logger.info('the pipeline reports can be read again');
      failing = false;
    } catch (error) {
      if (!failing) logger.warn('reading the pipeline reports failed; the last ones read age until it works again', { error });
      failing = true;
    }
    readAt = now;
  };

  return {
    async part(now) {
      if (now - readAt >= cacheMs) {
        reading ??= read(now).finally(() => (reading = undefined));
        await reading;
      }
      return pipelinePart(reports, lastSeenAt, now);
    },
  };
}
