/**
 * A local Apache Kafka cluster for tests and benchmarks: `brokers` KRaft nodes
 * on loopback, each broker and controller at once, all voters of one quorum,
 * formatted once with one cluster id. Every topic and internal topic is
 * replicated on every node, with `min.insync.replicas` as asked, so one node
 * can be SIGKILLed and restarted by its handle while the others go on.
 */
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Child } from '../process/child.js';
import { freePort } from '../process/ports.js';
import { launchKafkaProcess, newClusterId } from './broker.js';
import { serverProperties } from './config.js';

export interface KafkaClusterOptions {
  /** Holds node-<id>/ (data, logs, config) for each node. */
  dir: string;
  /** Nodes, each broker and controller; 3 unless told. */
  brokers?: number;
  /** The cluster's `min.insync.replicas`; 2 unless told. */
  minInsyncReplicas?: number;
  /** JVM heap of each node; 256m unless told. */
  heap?: string;
  /** Default partitions for topics created without a count; 3 unless told. */
  partitions?: number;
  log?: (line: string) => void;
}

export interface KafkaCluster {
  /** host:port of every node, what KAFKA_BROKERS takes. */
  brokers: string[];
  nodes: KafkaNode[];
  /** Stops every node still running (controlled shutdown, SIGKILL after 10 s). */
  stop(): Promise<void>;
}

export interface KafkaNode {
  /** The node.id, 1 to `brokers`. */
  id: number;
  /** host:port of its client listener. */
  address: string;
  running(): boolean;
  /** SIGKILL to the node's process group; resolves once it exited. No controlled shutdown: a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same data dir and ports; resolves once it answers metadata and is a live broker of the cluster again. */
  restart(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;

export async function startKafkaCluster(opts: KafkaClusterOptions): Promise<KafkaCluster> {
  const count = opts.brokers ?? 3;
  const minInsyncReplicas = opts.minInsyncReplicas ?? 2;
  if (!Number.isInteger(count) || count < 1) throw new Error(`brokers must be a positive integer (got ${count})`);
  if (!Number.isInteger(minInsyncReplicas) || minInsyncReplicas < 1 || minInsyncReplicas > count) {
    throw new Error(`minInsyncReplicas must be an integer from 1 to brokers (${count}) (got ${minInsyncReplicas})`);
  }
  const log = opts.log ?? (() => {});
  const clusterId = newClusterId();
  const ports: { id: number; port: number; controllerPort: number }[] = [];
  for (let id = 1; id <= count; id++) ports.push({ id, port: await freePort(), controllerPort: await freePort() });
  const voters = ports.map(({ id, controllerPort }) => ({ id, controllerPort }));
  const brokers = ports.map(({ port }) => `127.0.0.1:${port}`);

  const children = new Map<number, Child>();
  const launch = async (id: number): Promise<Child> => {
    const { port, controllerPort } = ports[id - 1]!;
    const { child } = await launchKafkaProcess({
      dir: path.join(opts.dir, `node-${id}`),
      properties: ({ dataDir, logDir }) =>
        serverProperties({
          port,
          controllerPort,
          dataDir,
          logDir,
          partitions: opts.partitions ?? 3,
          cluster: { nodeId: id, voters, minInsyncReplicas },
        }),
      clusterId,
      heap: opts.heap ?? '256m',
      name: `kafka-${id}`,
      log,
    });
    children.set(id, child);
    return child;
  };
  // A controlled shutdown needs a controller quorum, which is gone once most nodes stopped: 10 s, then SIGKILL.
  const stop = async (): Promise<void> => {
    await Promise.all([...children.values()].map((child) => child.stop(10_000)));
  };

  try {
    // All at once: a quorum elects its first leader only once a majority of voters is up.
    await Promise.all(ports.map(({ id }) => launch(id)));
    await waitForBrokers(brokers, ports.map((p) => p.id), [...children.values()]);
  } catch (error) {
    await stop();
    throw error;
  }
  log(`kafka cluster of ${count} nodes on ${brokers.join(',')} (min.insync.replicas=${minInsyncReplicas})`);

  const nodes: KafkaNode[] = ports.map(({ id }, index) => {
    const address = brokers[index]!;
    const current = () => children.get(id)!;
    return {
      id,
      address,
      running: () => current().isRunning(),
      async kill() {
        const child = current();
        if (!child.isRunning()) return;
        try {
          // Its own process group (startChild spawns detached): the JVM and nothing else.
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await child.exited;
      },
      async restart() {
        if (current().isRunning()) throw new Error(`kafka node ${id} is running; kill it before restarting it`);
        const child = await launch(id);
        // Asked of this node alone: it answers, and the cluster counts it among its live (unfenced) brokers.
        await waitForBrokers([address], [id], [child]);
      },
    };
  });
  return { brokers, nodes, stop };
}

/** Waits until a metadata request through `brokers` lists every one of `ids` as a live broker; fails at once if one of `children` exits. */
async function waitForBrokers(brokers: string[], ids: number[], children: Child[]): Promise<void> {
  const what = `kafka nodes ${ids.join(',')}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = '';
  for (;;) {
    const dead = children.find((child) => !child.isRunning());
    if (dead) throw new Error(`${what}: ${dead.name} exited before it was ready; see ${dead.logFile}`);
    try {
      const live = await liveBrokerIds(brokers);
      if (ids.every((id) => live.has(id))) return;
      lastError = `live brokers: ${[...live].join(',') || 'none'}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${READY_TIMEOUT_MS} ms (${lastError})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The ids of the brokers a metadata answer lists (fenced brokers are left out of it), and a controller elected. */
async function liveBrokerIds(brokers: string[]): Promise<Set<number>> {
  const kafka = new Kafka({
    clientId: 'sessionflow-cluster-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.controller === null || cluster.controller < 0) return new Set();
    return new Set(cluster.brokers.map((b) => b.nodeId));
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
