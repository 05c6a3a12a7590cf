/**
 * Figures read from the once-a-second readings (watch.ts): the worst lag, how
 * long the pipeline took to come back under a second of lag after the spike,
 * the time each part spent at each level, and where the CPU went in each
 * phase, with the parts that ran out of it. Pure.
 */
import type { Level } from '@sessionflow/core';
import type { Part } from './metrics-text.js';
import { timeAtLevels, type LevelTime } from './levels.js';

/** What these functions need of a reading. */
export interface ReadingLike {
  at: number;
  phase: string;
  lag: { seconds: number };
  levels: Record<Part, Level | undefined>;
  /** Parts whose /metrics did not answer in time. */
  unanswered?: readonly Part[];
  cpuS: Record<string, number>;
}

export function maxLagSeconds(readings: readonly ReadingLike[], phases: readonly string[]): number {
  return readings.filter((r) => phases.includes(r.phase)).reduce((max, r) => Math.max(max, r.lag.seconds), 0);
}

/** Seconds from `spikeEndAt` (ms, the readings' clock) to the first reading after it with less than `underS` of lag; undefined if none. */
export function drainSeconds(readings: readonly ReadingLike[], spikeEndAt: number, underS = 1): number | undefined {
  const back = readings.find((r) => r.at >= spikeEndAt && r.lag.seconds < underS);
  return back === undefined ? undefined : (back.at - spikeEndAt) / 1000;
}

/** Each part's time at each level by its gauge over the readings of `phases`. */
export function gaugeTimeAtLevels(readings: readonly ReadingLike[], phases: readonly string[], parts: readonly Part[]): Record<string, LevelTime> {
  const mine = readings.filter((r) => phases.includes(r.phase));
  return Object.fromEntries(parts.map((part) => [part, timeAtLevels(mine.map((r) => (r.unanswered?.includes(part) ? 'unanswered' : r.levels[part])))]));
}

export interface PhaseCpu {
  seconds: number;
  /** Cores each process group (and `bench`) kept busy. */
  cores: Record<string, number>;
  /** Share of the machine's capacity busy (all users), when /proc/stat was read. */
  machineBusy: number | undefined;
}

/** Where the CPU went in each phase: from its first reading to its last. */
export function cpuByPhase(readings: readonly ReadingLike[], cores: number): Record<string, PhaseCpu> {
  const out: Record<string, PhaseCpu> = {};
  const phases = [...new Set(readings.map((r) => r.phase))];
  for (const phase of phases) {
    const mine = readings.filter((r) => r.phase === phase);
    const first = mine[0]!;
    const last = mine[mine.length - 1]!;
    const seconds = (last.at - first.at) / 1000;
    if (seconds <= 0) continue;
    const used: Record<string, number> = {};
    for (const [name, s] of Object.entries(last.cpuS)) {
      if (name === 'machine') continue;
      used[name] = Math.max(0, s - (first.cpuS[name] ?? 0)) / seconds;
    }
    const machine = last.cpuS['machine'] !== undefined && first.cpuS['machine'] !== undefined ? (last.cpuS['machine'] - first.cpuS['machine']) / (seconds * cores) : undefined;
    out[phase] = { seconds, cores: used, machineBusy: machine };
  }
  return out;
}

/**
 * What ran out of CPU in a phase: a part near a whole core (its main thread: the
 * edge's workerd, the pipeline and the collector are one thread each where it
 * matters), or the machine near all of its cores.
 */
export function saturated(cpu: PhaseCpu, cores: number, nearCore = 0.85, nearMachine = 0.9): string[] {
  const names = Object.keys(cpu.cores);
  // A group read process by process (`edge › workerd …`) is judged by its processes: one thread each.
  const judged = names.filter((name) => !names.some((other) => other.startsWith(`${name} › `)));
  const out = Object.entries(cpu.cores)
    .filter(([name, c]) => judged.includes(name) && c >= nearCore)
    .sort(([, a], [, b]) => b - a)
    .map(([name, c]) => `${name} (${c.toFixed(2)} cores)`);
  if (cpu.machineBusy !== undefined && cpu.machineBusy >= nearMachine) out.push(`the machine (${Math.round(cpu.machineBusy * 100)} % of ${cores} cores busy)`);
  return out;
}
