/**
 * A local Redis Cluster for tests, benchmarks and `npm start -- --cluster`:
 * Debian's redis-server in cluster mode, `masters` masters with
 * `replicasPerMaster` replicas each, every node its own process, folder and
 * loopback ports (client and cluster bus), created by `redis-cli --cluster
 * create`. Each node keeps an append-only file (fsync every second), so a node
 * killed and restarted comes back with its data and its place in the cluster
 * (nodes.conf); a master killed for longer than `nodeTimeoutMs` is replaced by
 * its replica, and rejoins as that replica's replica when restarted.
 *
 * A new start is a new cluster: the nodes' folders of an earlier start are
 * removed first (their ports are new each time, so their nodes.conf would name
 * nodes that are gone). Like the single node, the store is rebuilt from Kafka.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { waitUntil } from '../process/child.js';
import { freePort } from '../process/ports.js';
import { parseClusterNodes, viewProblem } from './cluster-view.js';
import { startRedis, type RedisServer } from './server.js';

export interface RedisClusterOptions {
  /** Each node's folder (`node-<n>`: data, nodes.conf, redis.log) goes below this one. */
  dir: string;
  /** At least 3 (what `redis-cli --cluster create` requires); default 3. */
  masters?: number;
  /** Default 1. */
  replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a master may be unreachable before its replica takes over; default 2000. */
  nodeTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RedisCluster {
  /** Comma-separated `redis://` URLs of all nodes: what `REDIS_URL` takes. */
  url: string;
  nodes: RedisNode[];
  /** Stops every node still running (SIGTERM, SIGKILL after 10 s). */
  stop(): Promise<void>;
  /**
   * Resolves once every running node says `cluster_state:ok`, sees every slot
   * served by a master that is running and sees no running node as failing,
   * and every running replica's link to its master is up; default 30 s.
   */
  waitHealthy(timeoutMs?: number): Promise<void>;
}

export interface RedisNode {
  port: number;
  url: string;
  /** Its log file (in its folder). */
  logFile: string;
  running(): boolean;
  /** What the node itself says (`ROLE`); fails when it is not running. */
  role(): Promise<'master' | 'replica'>;
  /** SIGKILL, as a crash: no shutdown, up to a second of writes not in its append-only file. Waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and folder (stopping it first if it runs); resolves when it answers PING. */
  restart(): Promise<void>;
}

const run = promisify(execFile);

export async function startRedisCluster(opts: RedisClusterOptions): Promise<RedisCluster> {
  const masters = opts.masters ?? 3;
  const replicasPerMaster = opts.replicasPerMaster ?? 1;
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 2_000;
  const log = opts.log ?? (() => {});
  if (!Number.isInteger(masters) || masters < 3) throw new Error(`startRedisCluster: masters must be an integer of at least 3, got ${masters}`);
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) throw new Error(`startRedisCluster: replicasPerMaster must be an integer of at least 0, got ${replicasPerMaster}`);
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs < 100) throw new Error(`startRedisCluster: nodeTimeoutMs must be an integer of at least 100, got ${nodeTimeoutMs}`);

  const count = masters * (1 + replicasPerMaster);
  const ports = await distinctFreePorts(count * 2);
  const nodes = Array.from({ length: count }, (_, n) => {
    const dir = path.join(opts.dir, `node-${n + 1}`);
    rmSync(dir, { recursive: true, force: true });
    return clusterNode({ dir, port: ports[2 * n]!, busPort: ports[2 * n + 1]!, nodeTimeoutMs });
  });
  const cluster: RedisCluster = {
    url: nodes.map((n) => n.url).join(','),
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
    waitHealthy: (timeoutMs = 30_000) =>
      waitUntil('redis cluster', () => healthy(nodes), { timeoutMs, intervalMs: 200 }),
  };

  try {
    log(`redis cluster: starting ${count} nodes (${masters} masters, ${replicasPerMaster} replica${replicasPerMaster === 1 ? '' : 's'} each)…`);
    await Promise.all(nodes.map((n) => n.restart()));
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    try {
      await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], {
        timeout: 60_000,
      });
    } catch (err) {
      const e = err as Error & { stdout?: string; stderr?: string };
      throw new Error(`redis-cli --cluster create failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
    await cluster.waitHealthy(60_000);
    log(`redis cluster: ready on ${addresses.join(',')}`);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

interface NodeSpec {
  dir: string;
  port: number;
  busPort: number;
  nodeTimeoutMs: number;
}

function clusterNode(spec: NodeSpec): RedisNode & { stop(): Promise<void> } {
  let server: RedisServer | undefined;
  const isRunning = (): boolean => server?.child.isRunning() ?? false;
  const node = {
    port: spec.port,
    url: `redis://127.0.0.1:${spec.port}`,
    logFile: path.join(spec.dir, 'redis.log'),
    running: isRunning,
    role: async (): Promise<'master' | 'replica'> => {
      const reply = (await ask(spec.port, (c) => c.sendCommand(['ROLE']))) as unknown[];
      return reply[0] === 'master' ? 'master' : 'replica';
    },
    kill: async (): Promise<void> => {
      if (!server || !isRunning()) return;
      // The node leads its own process group (startChild); its handle's pid names it, and only it.
      try {
        process.kill(-server.child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await server.child.exited;
    },
    stop: async (): Promise<void> => {
      if (server) await server.stop();
    },
    restart: async (): Promise<void> => {
      if (server) await server.stop();
      server = await startRedis({
        dir: spec.dir,
        port: spec.port,
        name: `redis-${spec.port}`,
        readyTimeoutMs: 60_000,
        extraArgs: [
          '--cluster-enabled', 'yes',
          '--cluster-config-file', 'nodes.conf',
          '--cluster-node-timeout', String(spec.nodeTimeoutMs),
          '--cluster-port', String(spec.busPort),
          '--appendonly', 'yes',
          '--appendfsync', 'everysec',
          // A master stopped with the cluster should not wait for replicas that are stopping too.
          '--shutdown-timeout', '1',
        ],
      });
    },
  };
  return node;
}

/** Throws what keeps the cluster from being healthy, as seen by its running nodes. */
async function healthy(nodes: RedisNode[]): Promise<boolean> {
  const running = new Set(nodes.filter((n) => n.running()).map((n) => n.port));
  await Promise.all(
    [...running].map(async (port) => {
      const info = String(await ask(port, (c) => c.sendCommand(['CLUSTER', 'INFO'])));
      if (!/^cluster_state:ok\s*$/m.test(info)) throw new Error(`node ${port}: ${/^cluster_state:\S+/m.exec(info)?.[0] ?? 'no cluster_state'}`);
      const view = parseClusterNodes(String(await ask(port, (c) => c.sendCommand(['CLUSTER', 'NODES']))));
      const problem = viewProblem(port, view, running);
      if (problem) throw new Error(problem);
      const self = view.find((n) => n.flags.includes('myself'));
      if (self?.flags.includes('slave')) {
        const replication = String(await ask(port, (c) => c.sendCommand(['INFO', 'replication'])));
        if (!/^master_link_status:up\s*$/m.test(replication)) throw new Error(`replica ${port}: its link to its master is not up yet`);
      }
    }),
  );
  return true;
}

// Only what a probe needs, so the command it sends stays written out at the call.
type ProbeClient = { sendCommand(command: string[]): Promise<unknown> };

/** One command to one node on a connection of its own, closed after: probes must not reconnect in the background. */
async function ask(port: number, command: (client: ProbeClient) => Promise<unknown>): Promise<unknown> {
  // 5 s: on a loaded machine a loopback connect can wait that long for the event loop.
  const client = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 5_000, reconnectStrategy: false } });
  client.on('error', () => {
    // Reported by the command that fails.
  });
  try {
    await client.connect();
    return await command(client);
  } finally {
    client.destroy();
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
