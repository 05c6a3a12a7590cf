/**
 * The experiment counters and funnel rollups as the pipeline wrote them
 * (store/experiment-keys.ts, store/rollup-keys.ts). Every failure to reach
 * Redis becomes a ReadStoreUnavailableError, answered with 503.
 *
 * Each by-user partition keeps its own part (store/owner.ts), and the read
 * adds the parts up. The sums are exact: an experiment's unit and a funnel's
 * visitor are a profile ref, and every ref belongs to one partition, so no
 * unit or visitor is counted in two parts (the distinct visitors of each part
 * are a HyperLogLog's estimate, as on one Redis).
 */
import { FUNNEL_STEPS, type FunnelStep } from '../pipeline/rollups/steps.js';
import type { StoreClient } from '../store/client.js';
import type { StoreKeys } from '../store/keys.js';
import type { StateLayout } from '../store/layout.js';
import type { AggregateReads, StoredFunnel, StoredFunnelCell, StoredFunnelMinute } from './aggregate-store.js';
import { ReadStoreUnavailableError } from './store.js';

export function redisAggregateReads(redis: StoreClient, layout: StateLayout): AggregateReads {
  const parts = layout.everyByUser();
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
        const stored = await Promise.all(parts.map((keys) => redis.hGetAll(keys.experimentCounts(experimentKey))));
        const counts: Record<string, number> = {};
        for (const part of stored) for (const [field, value] of Object.entries(part)) counts[field] = (counts[field] ?? 0) + Number(value);
        return counts;
      }),

    funnel: (minutes) => guarded(async () => sumFunnels(minutes, await Promise.all(parts.map((keys) => readFunnel(redis, keys, minutes))))),
  };
}

/** The parts' funnels as one: events and visitors added up per cell, minute and step. */
function sumFunnels(minutes: readonly string[], parts: readonly StoredFunnel[]): StoredFunnel {
  const visitors = zeroSteps();
  const byMinute = minutes.map((minute) => ({ minute, cells: new Map<string, StoredFunnelCell>(), visitors: zeroSteps() }));
  for (const part of parts) {
    for (const step of FUNNEL_STEPS) visitors[step] += part.visitors[step];
    part.minutes.forEach((read, i) => {
      const sum = byMinute[i];
      if (sum === undefined) return;
      for (const step of FUNNEL_STEPS) sum.visitors[step] += read.visitors[step];
      for (const cell of read.cells) {
        const id = `${cell.step}|${cell.device}|${cell.source}`;
        const known = sum.cells.get(id);
        sum.cells.set(id, known === undefined ? { ...cell } : { ...known, events: known.events + cell.events, visitors: known.visitors + cell.visitors });
      }
    });
  }
  return { minutes: byMinute.map(({ minute, cells, visitors: v }) => ({ minute, cells: [...cells.values()], visitors: v })), visitors };
}

function zeroSteps(): Record<FunnelStep, number> {
  return Object.fromEntries(FUNNEL_STEPS.map((step) => [step, 0])) as Record<FunnelStep, number>;
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
