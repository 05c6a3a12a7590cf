/**
 * CPU time spent by the processes the throughput phase loads, so a figure in
 * events/s can be read as CPU per event: on a shared two-core machine the
 * wall-clock rate moves with whatever else runs, the CPU per event much less.
 * Redis reports its own (INFO cpu); a child process is read from /proc
 * (Linux), and is left out where there is none.
 */
import { readFileSync } from 'node:fs';
import type { createClient } from 'redis';

/** User + system CPU seconds of a process so far, or undefined where /proc is not there. */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields 14 and 15 (utime, stime) in clock ticks, which Linux reports at 100 per second (USER_HZ).
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / 100 : undefined;
}

/** User + system CPU seconds of the Redis server so far. */
export async function redisCpuSeconds(redis: ReturnType<typeof createClient>): Promise<number> {
  const info = await redis.info('cpu');
  const value = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return value('used_cpu_user') + value('used_cpu_sys');
}
