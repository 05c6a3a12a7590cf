/**
 * The funnel rollup as `GET /v1/rollups/funnel` shows it: per minute and per
 * traffic source × device, each step's events and distinct visitors, the
 * minute's totals, and the step-to-step conversion (visitors of a step over
 * visitors of the step before). Pure.
 *
 * Within one minute a later step can have more visitors than the one before
 * (the product was viewed in the previous minute), so a minute's conversion
 * can exceed 1; over a longer window it settles.
 */
import { FUNNEL_STEPS, type FunnelStep } from '../pipeline/rollups/steps.js';
import type { StoredFunnel, StoredFunnelCell } from './aggregate-store.js';

export interface FunnelStepFigures {
  events: number;
  visitors: number;
}

export interface FunnelConversion {
  from: FunnelStep;
  to: FunnelStep;
  /** Visitors of `to` / visitors of `from`; null when `from` had none. */
  rate: number | null;
}

export interface FunnelFigures {
  steps: Record<FunnelStep, FunnelStepFigures>;
  conversion: FunnelConversion[];
}

export interface FunnelSegmentView extends FunnelFigures {
  source: string;
  device: string;
}

export interface FunnelMinuteView {
  /** Start of the minute, ISO. */
  minute: string;
  segments: FunnelSegmentView[];
  total: FunnelFigures;
}

export interface FunnelView {
  minutes: number;
  steps: readonly FunnelStep[];
  buckets: FunnelMinuteView[];
  /** The whole window: events summed, visitors a union over the minutes. */
  total: FunnelFigures;
  generatedAt: number;
}

export function funnelView(stored: StoredFunnel, nowMs: number): FunnelView {
  const buckets = stored.minutes.map((m): FunnelMinuteView => {
    const bySegment = new Map<string, StoredFunnelCell[]>();
    for (const cell of m.cells) {
      const id = `${cell.source}|${cell.device}`;
      bySegment.set(id, [...(bySegment.get(id) ?? []), cell]);
    }
    const segments = [...bySegment.values()]
      .map((cells): FunnelSegmentView => {
        const first = cells[0] as StoredFunnelCell;
        return { source: first.source, device: first.device, ...figures(stepsOf(cells, (step) => cells.find((c) => c.step === step)?.visitors ?? 0)) };
      })
      .sort((a, b) => a.source.localeCompare(b.source) || a.device.localeCompare(b.device));
    return { minute: `${m.minute}:00.000Z`, segments, total: figures(stepsOf(m.cells, (step) => m.visitors[step])) };
  });
  const all = stored.minutes.flatMap((m) => m.cells);
  return { minutes: stored.minutes.length, steps: FUNNEL_STEPS, buckets, total: figures(stepsOf(all, (step) => stored.visitors[step])), generatedAt: nowMs };
}

function stepsOf(cells: readonly StoredFunnelCell[], visitors: (step: FunnelStep) => number): Record<FunnelStep, FunnelStepFigures> {
  const steps = {} as Record<FunnelStep, FunnelStepFigures>;
  for (const step of FUNNEL_STEPS) {
    const events = cells.reduce((sum, c) => (c.step === step ? sum + c.events : sum), 0);
    steps[step] = { events, visitors: visitors(step) };
  }
  return steps;
}

function figures(steps: Record<FunnelStep, FunnelStepFigures>): FunnelFigures {
  const conversion = FUNNEL_STEPS.slice(1).map((to, i): FunnelConversion => {
    const from = FUNNEL_STEPS[i] as FunnelStep;
    const base = steps[from].visitors;
    return { from, to, rate: base > 0 ? steps[to].visitors / base : null };
  });
  return { steps, conversion };
}
