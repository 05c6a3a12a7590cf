/**
 * CPU time spent by the processes a throughput phase loads, so a figure in
 * events/s can be read as CPU per event: on a shared two-core machine the
 * wall-clock rate moves with whatever else runs, the CPU per event much less.
 * Redis reports its own (INFO cpu); processes and the machine are read from
 * /proc (Linux), and are left out where there is none.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type CpuSample } from './cpu-ledger.js';
import { commandStatsOfInfo, machineCpuOfProcStat, processCpuOfStat, redisCpuOfInfo, redisRoleOfInfo, type CommandStat, type MachineCpu, type RedisCpu } from './cpu-parse.js';

/** What the bench asks of a redis-server's own connection. */
export interface InfoClient {
  info(section: string): Promise<unknown>;
  quit(): Promise<unknown>;
}

/** User + system CPU seconds of a process so far, or undefined where /proc is not there. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    return processCpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Busy and stolen CPU seconds of the whole machine (all cores) so far, or undefined where /proc is not there. */
export function machineCpuSeconds(): MachineCpu | undefined {
  try {
    return machineCpuOfProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The Kafka JVMs whose files are below `dir` (their command line names their
 * config and log folders there): the brokers this phase started, found to be
 * read, never signalled. Empty where there is no /proc.
 */
export function kafkaPidsBelow(dir: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const below = `${path.resolve(dir)}${path.sep}`;
  return entries.flatMap((e) => {
    try {
      const args = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      return args.includes('kafka.Kafka') && args.some((a) => a.startsWith(below)) ? [Number(e)] : [];
    } catch {
      return []; // Gone meanwhile, or not ours to read.
    }
  });
}

/** One redis-server the phase reads INFO cpu from, with the role it had when the phase started. */
export interface RedisNodeCpu {
  url: string;
  role: 'master' | 'replica';
  client: InfoClient;
}

export async function redisCpu(client: InfoClient): Promise<RedisCpu> {
  return redisCpuOfInfo(String(await client.info('cpu')));
}

/** `INFO commandstats` summed over the masters (replicas replay writes, the masters serve the pipeline). */
export async function redisCommandStats(nodes: readonly RedisNodeCpu[]): Promise<Map<string, CommandStat>> {
  const total = new Map<string, CommandStat>();
  for (const node of nodes.filter((n) => n.role === 'master')) {
    for (const [command, stat] of commandStatsOfInfo(String(await node.client.info('commandstats')))) {
      const sum = total.get(command) ?? { calls: 0, usec: 0 };
      total.set(command, { calls: sum.calls + stat.calls, usec: sum.usec + stat.usec });
    }
  }
  return total;
}

export async function redisRole(client: InfoClient): Promise<'master' | 'replica'> {
  return redisRoleOfInfo(String(await client.info('replication')));
}

/** What to sample: the pipeline process, the Kafka brokers, every redis-server, and the bench itself. */
export interface CpuSources {
  /** Absent before the pipeline runs. */
  pipelinePid?: number;
  kafkaPids: readonly number[];
  redisNodes: readonly RedisNodeCpu[];
}

/** Every counter at one moment (read one after the other, within a millisecond or so). */
export async function sampleCpu(sources: CpuSources): Promise<CpuSample> {
  const redis = await Promise.all(sources.redisNodes.map(async (n) => ({ role: n.role, cpu: await redisCpu(n.client) })));
  const sum = (values: readonly (number | undefined)[]): number | undefined => (values.some((v) => v === undefined) ? undefined : values.reduce<number>((s, v) => s + v!, 0));
  const own = process.cpuUsage();
  const parts: CpuSample['parts'] = {
    redisMasters: sum(redis.filter((r) => r.role === 'master').map((r) => r.cpu.self)),
    redisReplicas: sum(redis.filter((r) => r.role === 'replica').map((r) => r.cpu.self)),
    redisForks: sum(redis.map((r) => r.cpu.children)),
    bench: (own.user + own.system) / 1e6,
  };
  const pipeline = sources.pipelinePid === undefined ? undefined : processCpuSeconds(sources.pipelinePid);
  if (pipeline !== undefined) parts.pipeline = pipeline;
  const kafka = sources.kafkaPids.length === 0 ? undefined : sum(sources.kafkaPids.map(processCpuSeconds));
  if (kafka !== undefined) parts.kafka = kafka;
  const machine = machineCpuSeconds();
  return machine === undefined ? { parts } : { parts, machine: machine.busy, stolen: machine.steal };
}
