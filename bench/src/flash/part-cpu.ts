/**
 * CPU of each part of the stack, so a run can say which one ran out: every
 * part runs in a process group of its own (infra starts each detached: wrangler
 * with its workerd processes, a JVM, a redis-server, a Node service), found
 * from the port it listens on (/proc/net/tcp → the socket's inode → the
 * process holding it → its group), then summed over the group from
 * /proc/<pid>/stat. Read, never signalled. Linux /proc only: elsewhere every
 * part reads as not measured.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Linux's USER_HZ: /proc times are in these ticks. */
const TICKS_PER_S = 100;

/** Inodes of the sockets listening on `port` in a /proc/net/tcp or tcp6 table. */
export function listeningInodes(table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return table
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    // local_address is ADDR:PORT in hex; st 0A is LISTEN; the inode is the tenth field.
    .filter((f) => f.length > 9 && f[1]!.split(':')[1] === hexPort && f[3] === '0A')
    .map((f) => f[9]!);
}

/** The process group and utime + stime (s) of a /proc/<pid>/stat line. */
export function statOf(stat: string): { pgrp: number; cpuS: number } {
  // The command may hold spaces and parentheses: the fields after its last ')' are fixed.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // state(0) ppid(1) pgrp(2) … utime(11) stime(12)
  return { pgrp: Number(f[2]), cpuS: (Number(f[11]) + Number(f[12])) / TICKS_PER_S };
}

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

const pids = (): string[] => {
  try {
    return readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
};

/** The process group of whatever listens on `port` on this machine, or undefined. */
export function groupListeningOn(port: number): number | undefined {
  const inodes = new Set([...listeningInodes(read('/proc/net/tcp') ?? '', port), ...listeningInodes(read('/proc/net/tcp6') ?? '', port)]);
  if (inodes.size === 0) return undefined;
  for (const pid of pids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) {
        const stat = read(`/proc/${pid}/stat`);
        return stat === undefined ? undefined : statOf(stat).pgrp;
      }
    }
  }
  return undefined;
}

/** CPU seconds so far of every process in each of `groups` (by name), one pass over /proc. */
export function groupsCpuSeconds(groups: ReadonlyMap<string, number>): Record<string, number> {
  const byGroup = new Map<number, number>();
  const wanted = new Set(groups.values());
  for (const pid of pids()) {
    const stat = read(`/proc/${pid}/stat`);
    if (stat === undefined) continue;
    const { pgrp, cpuS } = statOf(stat);
    if (wanted.has(pgrp)) byGroup.set(pgrp, (byGroup.get(pgrp) ?? 0) + cpuS);
  }
  return Object.fromEntries([...groups].map(([name, group]) => [name, byGroup.get(group) ?? 0]));
}

/** Cores each part kept busy between two readings `seconds` apart. */
export function coresBetween(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>, seconds: number): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, s]) => [name, seconds > 0 ? Math.max(0, s - (before[name] ?? 0)) / seconds : 0]));
}
