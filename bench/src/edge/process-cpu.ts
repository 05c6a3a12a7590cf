/**
 * CPU time of the processes behind the edge (wrangler's Node process and its
 * workerd instances, one process group) and of the bench process itself, so
 * a run can show where the machine's two cores went: to the Worker, to the
 * local dev server around it, or to the load generator. Linux /proc only;
 * elsewhere the edge's part reads as empty.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_S = 100;

/** What a process of the edge's group is, from its command line. */
function labelOf(pid: string, comm: string, port: number): string {
  let args = '';
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return comm;
  }
  if (args.includes('wrangler-dist/cli.js')) return 'wrangler dev (node)';
  if (args.includes('bin/wrangler.js')) return 'wrangler launcher (node)';
  if (comm === 'workerd') return args.includes(`entry=127.0.0.1:${port} `) ? 'workerd (on the edge port)' : 'workerd (internal)';
  return comm;
}

/** CPU seconds so far of each process in process group `pgid`, by label. */
export function groupCpuSeconds(pgid: number, port: number): Record<string, number> {
  const out: Record<string, number> = {};
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return out;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // The command name is in parentheses and may hold spaces: the fields after it are fixed.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // After the name: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
    if (Number(fields[2]) !== pgid) continue;
    const label = labelOf(pid, comm, port);
    out[label] = (out[label] ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  }
  return out;
}

/** Seconds spent between two readings, per label. */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([label, s]) => [label, Math.round((s - (before[label] ?? 0)) * 100) / 100]));
}
