/**
 * A steady rate the machine holds comfortably, from what a short warm-up at a
 * low rate cost: each part's CPU per offered event (beyond what it spends at
 * rest) gives the rate at which it would keep `partBudget` of a core busy; the
 * steady rate is the lowest of those and of the rate that keeps all of them
 * together at `machineBudget` of the machine's cores, rounded down to a
 * multiple of 10 (at least `floor`). On this two-core machine, with a third of
 * a core per part and a third of the machine, the spike at ten times that rate
 * asks for several times what the machine has, which is the point of the
 * exercise. Pure.
 */

export interface SteadyRateInput {
  /** CPU seconds each part spent per offered event in the warm-up, beyond its rest. */
  cpuSecondsPerEvent: Readonly<Record<string, number>>;
  cores: number;
  /** Share of one core any one part may use at the steady rate (a Node process is one thread). */
  partBudget?: number;
  /** Share of the machine all parts together may use. */
  machineBudget?: number;
  floor?: number;
}

export interface SteadyRate {
  eventsPerS: number;
  /** The part that sets it (`all parts` when the machine budget does). */
  limitedBy: string;
  /** Each part's rate at its budget. */
  byPart: Record<string, number>;
}

export function steadyRate(i: SteadyRateInput): SteadyRate {
  const partBudget = i.partBudget ?? 1 / 3;
  const machineBudget = i.machineBudget ?? 1 / 3;
  const floor = i.floor ?? 10;
  const byPart: Record<string, number> = {};
  let limitedBy = 'all parts';
  let rate = Number.POSITIVE_INFINITY;
  let total = 0;
  for (const [part, perEvent] of Object.entries(i.cpuSecondsPerEvent)) {
    if (!(perEvent > 0)) continue;
    total += perEvent;
    byPart[part] = partBudget / perEvent;
    if (byPart[part]! < rate) {
      rate = byPart[part]!;
      limitedBy = part;
    }
  }
  if (total > 0 && (machineBudget * i.cores) / total < rate) {
    rate = (machineBudget * i.cores) / total;
    limitedBy = 'all parts';
  }
  if (!Number.isFinite(rate)) throw new Error('cpuSecondsPerEvent: no part spent any CPU in the warm-up; a steady rate cannot be chosen from it');
  return { eventsPerS: Math.max(floor, Math.floor(rate / 10) * 10), limitedBy, byPart };
}
