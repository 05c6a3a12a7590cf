/**
 * What the CPU counters say, read from their text: Redis' `INFO cpu` answer
 * and Linux's /proc files. Pure, so the parsing is tested without a server.
 */

/** Linux reports /proc CPU times in clock ticks of 1/100 s (USER_HZ). */
const USER_HZ = 100;

/** CPU seconds of one redis-server from its `INFO cpu` answer. */
export interface RedisCpu {
  /** used_cpu_user + used_cpu_sys: the server's own process (main thread, I/O and background threads). */
  self: number;
  /** used_cpu_user_children + used_cpu_sys_children: its forks (AOF rewrite, RDB save), 0 when the answer has none. */
  children: number;
}

/** Reads an `INFO cpu` answer; throws naming the field when used_cpu_user or used_cpu_sys is missing. */
export function redisCpuOfInfo(info: string): RedisCpu {
  const field = (name: string): number | undefined => {
    const found = new RegExp(`^${name}:([\\d.]+)\\s*$`, 'm').exec(info)?.[1];
    return found === undefined ? undefined : Number(found);
  };
  const need = (name: string): number => {
    const value = field(name);
    if (value === undefined) throw new Error(`INFO cpu has no ${name} field`);
    return value;
  };
  return {
    self: need('used_cpu_user') + need('used_cpu_sys'),
    children: (field('used_cpu_user_children') ?? 0) + (field('used_cpu_sys_children') ?? 0),
  };
}

/** A node's role from its `INFO replication` answer (`role:master` / `role:slave`); throws when there is none. */
export function redisRoleOfInfo(info: string): 'master' | 'replica' {
  const role = /^role:(\w+)\s*$/m.exec(info)?.[1];
  if (role === 'master') return 'master';
  if (role === 'slave') return 'replica';
  throw new Error(`INFO replication has no role field the bench knows (${role ?? 'none'})`);
}

/** utime + stime of a process from its /proc/<pid>/stat line, in seconds. */
export function processCpuOfStat(stat: string): number | undefined {
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are fixed:
  // field 3 is the first of them, so utime (14) and stime (15) are at 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / USER_HZ : undefined;
}

/** CPU seconds of the whole machine, summed over its CPUs. */
export interface MachineCpu {
  /** user + nice + system + irq + softirq (guest times are inside user and nice). */
  busy: number;
  /** steal: time a virtual CPU was ready to run and the host ran something else. */
  steal: number;
}

/** Reads /proc/stat's first line (`cpu  user nice system idle iowait irq softirq steal …`). */
export function machineCpuOfProcStat(procStat: string): MachineCpu {
  const line = procStat.split('\n').find((l) => /^cpu\s/.test(l));
  if (line === undefined) throw new Error('/proc/stat has no aggregate "cpu" line');
  const [user, nice, system, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  if (user === undefined || nice === undefined || system === undefined) throw new Error(`/proc/stat's cpu line is too short: ${line}`);
  return { busy: (user + nice + system + irq + softirq) / USER_HZ, steal: steal / USER_HZ };
}

/** One command's totals in a redis-server's `INFO commandstats` answer. */
export interface CommandStat {
  calls: number;
  /** Microseconds of the server's time in the command (a script's inner commands count in their own and in EVALSHA's). */
  usec: number;
}

/**
 * Reads an `INFO commandstats` answer (`cmdstat_<name>:calls=N,usec=U,…`) into
 * totals per command name, lower case (`set`, `evalsha`, `client|setname`).
 */
export function commandStatsOfInfo(info: string): Map<string, CommandStat> {
  const stats = new Map<string, CommandStat>();
  for (const match of info.matchAll(/^cmdstat_([^:\s]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(match[1]!.toLowerCase(), { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

/** Per command, calls and server µs per event between two `commandStatsOfInfo` readings; the most costly first. */
export function commandsPerEvent(before: ReadonlyMap<string, CommandStat>, after: ReadonlyMap<string, CommandStat>, events: number): { command: string; callsPerEvent: number; usPerEvent: number }[] {
  if (!(events > 0)) throw new Error(`commandsPerEvent: events must be positive, got ${events}`);
  const rows: { command: string; callsPerEvent: number; usPerEvent: number }[] = [];
  for (const [command, end] of after) {
    const start = before.get(command) ?? { calls: 0, usec: 0 };
    const calls = end.calls - start.calls;
    if (calls <= 0) continue;
    rows.push({ command, callsPerEvent: calls / events, usPerEvent: (end.usec - start.usec) / events });
  }
  return rows.sort((a, b) => b.usPerEvent - a.usPerEvent);
}
