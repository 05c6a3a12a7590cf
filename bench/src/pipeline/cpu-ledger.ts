/**
 * Where the CPU went during a measured window: two samples of every counter
 * the bench can read (the pipeline process, the Redis masters and replicas,
 * the Kafka brokers, the bench itself, the whole machine), turned into CPU
 * per event and shares of the machine's capacity. On a shared two-core
 * machine that is what explains a throughput: the pipeline can only go as
 * fast as the cores the servers and the neighbours leave it.
 */

export const CPU_PARTS = ['pipeline', 'redisMasters', 'redisReplicas', 'redisForks', 'kafka', 'bench'] as const;
export type CpuPart = (typeof CPU_PARTS)[number];

/** CPU seconds so far of each part (absent where it cannot be read here), and of the machine (all cores): busy, and stolen by the host. */
export interface CpuSample {
  parts: Partial<Record<CpuPart, number>>;
  machine?: number;
  stolen?: number;
}

/** Cores each part kept busy between two samples `seconds` apart: with no load, what a part costs whatever the traffic. */
export type CpuRates = Record<CpuPart, number | null>;

export function coresUsed(before: CpuSample, after: CpuSample, seconds: number): CpuRates {
  if (!(seconds > 0)) throw new Error(`coresUsed: seconds must be positive, got ${seconds}`);
  const rate = (b: number | undefined, a: number | undefined) => (b === undefined || a === undefined ? null : Math.max(0, a - b) / seconds);
  return Object.fromEntries(CPU_PARTS.map((p) => [p, rate(before.parts[p], after.parts[p])])) as CpuRates;
}

export interface CpuWindow {
  /** µs of CPU per event; null where a part was not measured at both ends. `other` = machine − our parts. */
  usPerEvent: Record<CpuPart | 'machine' | 'other', number | null>;
  /**
   * µs per event beyond what each part spent at rest (`atRest` given to cpuWindow, in cores, times the window):
   * what the events themselves cost. Null where either is unknown, or without `atRest`.
   */
  usPerEventBeyondRest: Record<CpuPart, number | null>;
  /**
   * Share of the machine's capacity (cores × wall seconds). `stolen`: what a
   * virtual machine's cores waited for the host; `idle` is what nobody used.
   */
  share: Record<CpuPart | 'other' | 'stolen' | 'idle', number | null>;
}

/** The window between `before` and `after`, `seconds` of wall clock apart, in which `events` were processed on `cores` cores. */
export function cpuWindow(before: CpuSample, after: CpuSample, events: number, seconds: number, cores: number, atRest?: CpuRates): CpuWindow {
  if (!(events > 0)) throw new Error(`cpuWindow: events must be positive, got ${events}`);
  if (!(seconds > 0)) throw new Error(`cpuWindow: seconds must be positive, got ${seconds}`);
  if (!(cores > 0)) throw new Error(`cpuWindow: cores must be positive, got ${cores}`);
  const spent = (b: number | undefined, a: number | undefined): number | null => (b === undefined || a === undefined ? null : Math.max(0, a - b));
  const parts = Object.fromEntries(CPU_PARTS.map((p) => [p, spent(before.parts[p], after.parts[p])])) as Record<CpuPart, number | null>;
  const machine = spent(before.machine, after.machine);
  const stolen = spent(before.stolen, after.stolen);
  const ours = CPU_PARTS.reduce((sum, p) => sum + (parts[p] ?? 0), 0);
  // Counters are read one after the other and tick in hundredths: "other" may come out a hair below zero.
  const other = machine === null ? null : Math.max(0, machine - ours);
  const capacity = cores * seconds;
  const perEvent = (s: number | null) => (s === null ? null : (s / events) * 1e6);
  const share = (s: number | null) => (s === null ? null : s / capacity);
  const beyondRest = Object.fromEntries(
    CPU_PARTS.map((p) => {
      const spentHere = parts[p];
      const rest = atRest?.[p];
      return [p, spentHere === null || rest === null || rest === undefined ? null : perEvent(Math.max(0, spentHere - rest * seconds))];
    }),
  ) as Record<CpuPart, number | null>;
  return {
    usPerEvent: { ...mapParts(parts, perEvent), machine: perEvent(machine), other: perEvent(other) },
    usPerEventBeyondRest: beyondRest,
    share: { ...mapParts(parts, share), other: share(other), stolen: share(stolen), idle: machine === null ? null : Math.max(0, 1 - (machine + (stolen ?? 0)) / capacity) },
  };
}

function mapParts<T>(parts: Record<CpuPart, number | null>, f: (s: number | null) => T): Record<CpuPart, T> {
  return Object.fromEntries(CPU_PARTS.map((p) => [p, f(parts[p])])) as Record<CpuPart, T>;
}

/** Redis' own CPU per event (masters and replicas, forks apart), as the `redis.*cpu_us_per_event` figures give it. */
export function redisUsPerEvent(window: CpuWindow): number | null {
  const { redisMasters, redisReplicas } = window.usPerEvent;
  if (redisMasters === null) return null;
  return redisMasters + (redisReplicas ?? 0);
}
