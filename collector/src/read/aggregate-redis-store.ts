/**
 * The experiment counters and funnel rollups as the pipeline wrote them
 * (store/experiment-keys.ts, store/rollup-keys.ts). Every failure to reach
 * Redis becomes a ReadStoreUnavailableError, answered with 503.
 */
import { FUNNEL_STEPS, type FunnelStep } from '../pipeline/rollups/steps.js';
import type { StoreClient } from '../store/client.js';
import type { StoreKeys } from '../store/keys.js';
import type { AggregateReads, StoredFunnel, StoredFunnelCell, StoredFunnelMinute } from './aggregate-store.js';
import { ReadStoreUnavailableError } from './store.js';

export function redisAggregateReads(redis: StoreClient, keys: StoreKeys): AggregateReads {
  const guarded = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw new ReadStoreUnavailableError(`Redis did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };

  return {
    available: () => redis.isReady,

    experimentCounts: (experimentKey) =>
      guarded(async () => {
        const stored = await redis.hGetAll(keys.experimentCounts(experimentKey));
        const counts: Record<string, number> = {};
        for (const [field, value] of Object.entries(stored)) counts[field] = Number(value);
        return counts;
      }),

    funnel: (minutes) => guarded(() => readFunnel(redis, keys, minutes)),
  };
}

async function readFunnel(redis: StoreClient, keys: StoreKeys, minutes: readonly string[]): Promise<StoredFunnel> {
  // node-redis pipelines the commands of one tick: each Promise.all is one round trip.
  const hashes = await Promise.all(minutes.map((minute) => redis.hGetAll(keys.funnelEvents(minute))));
  const [read, windowVisitors] = await Promise.all([
    Promise.all(minutes.map((minute, i) => readMinute(redis, keys, minute, hashes[i] ?? {}))),
    perStep((step) => redis.pfCount(minutes.map((minute) => keys.funnelVisitors(minute, step)))),
  ]);
  return { minutes: read, visitors: windowVisitors };
}

async function readMinute(redis: StoreClient, keys: StoreKeys, minute: string, hash: Record<string, string>): Promise<StoredFunnelMinute> {
  const segments = Object.entries(hash).flatMap(([field, value]) => {
    const cell = parseField(field);
    return cell === undefined ? [] : [{ ...cell, events: Number(value) }];
  });
  const [cells, visitors] = await Promise.all([
    Promise.all(
      segments.map(async (s): Promise<StoredFunnelCell> => ({ ...s, visitors: await redis.pfCount(keys.funnelSegmentVisitors(minute, s.step, s.device, s.source)) })),
    ),
    segments.length === 0 ? perStep(() => Promise.resolve(0)) : perStep((step) => redis.pfCount(keys.funnelVisitors(minute, step))),
  ]);
  return { minute, cells, visitors };
}

/** `<step>|<device>|<source>` as the rollups' planner writes it. */
function parseField(field: string): { step: FunnelStep; device: string; source: string } | undefined {
  const [step, device, source, ...rest] = field.split('|');
  if (rest.length > 0 || device === undefined || source === undefined) return undefined;
  return (FUNNEL_STEPS as readonly string[]).includes(step ?? '') ? { step: step as FunnelStep, device, source } : undefined;
}

async function perStep(count: (step: FunnelStep) => Promise<number>): Promise<Record<FunnelStep, number>> {
  const values = await Promise.all(FUNNEL_STEPS.map(count));
  return Object.fromEntries(FUNNEL_STEPS.map((step, i) => [step, values[i] ?? 0])) as Record<FunnelStep, number>;
}
