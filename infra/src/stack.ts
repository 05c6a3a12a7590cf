/**
 * The whole local loop, started in dependency order and stopped in reverse:
 * Kafka and Redis (unless KAFKA_BROKERS / REDIS_URL point at existing ones),
 * the collector, the edge in workerd, the demo storefront. Used by `npm start`,
 * the end-to-end tests and the benchmarks, so all three run the same parts.
 * With `cluster`, Kafka is a 3-node KRaft cluster and Redis a Redis Cluster of
 * 3 masters with a replica each (`npm start -- --cluster`).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startKafka } from './kafka/broker.js';
import type { Child } from './process/child.js';
import { startKafkaCluster, type KafkaCluster } from './kafka/cluster.js';
import { freePort } from './process/ports.js';
import { startRedisCluster, type RedisCluster } from './redis/cluster.js';
import { startRedis } from './redis/server.js';
import { generateSecrets, type LocalSecrets } from './secrets/local-secrets.js';
import { startCollectorProcess } from './services/collector.js';
import { startConsoleProcess } from './services/console.js';
import { startDemoSiteProcess } from './services/demo-site.js';
import { startEdgeProcess } from './services/edge.js';
import type { HttpService } from './services/http-service.js';
import { startPipelineProcess } from './services/pipeline.js';

export type Part = 'kafka' | 'redis' | 'collector' | 'pipeline' | 'edge' | 'demo-site' | 'console';

export interface StackOptions {
  /** State and logs go below this folder. */
  dir: string;
  /** Fixed ports; a missing one is picked free (tests), so runs never collide. */
  ports?: Partial<Record<'kafka' | 'kafkaController' | 'redis' | 'collector' | 'pipeline' | 'edge' | 'demo-site' | 'console', number>>;
  /** Existing Kafka to use instead of starting one. */
  kafkaBrokers?: string[] | undefined;
  /** Existing Redis to use instead of starting one. */
  redisUrl?: string | undefined;
  /** Which parts to run; each part starts what it needs before it. Default: all. `console` brings the collector and the pipeline. */
  parts?: Part[];
  /** The secrets of every scope (npm start passes the ones it keeps); default: new random ones for this stack. */
  secrets?: LocalSecrets;
  /** The relay secret, instead of the one in `secrets`. */
  secret?: string;
  /** The collector's read API secret (the edge presents it), instead of the one in `secrets`. */
  readSecret?: string;
  siteKey?: string;
  topicPrefix?: string;
  kafkaHeap?: string;
  /**
   * Kafka as a 3-node KRaft cluster (replication factor 3, min.insync.replicas 2) and Redis as a
   * Redis Cluster (3 masters, a replica each), on free loopback ports, new at each start. The
   * collector and the pipeline get KAFKA_REPLICATION_FACTOR=3 and KAFKA_MIN_INSYNC_REPLICAS=2.
   */
  cluster?: boolean;
  /** Redis with its AOF on, fsynced every second (crash tests: what a restarted Redis still holds). */
  redisAppendOnly?: boolean;
  /**
   * More environment per service, e.g. a test's small degradation thresholds. For the edge these
   * become the Worker's plain vars (`--var`), as wrangler passes no process environment to it.
   */
  partEnv?: Partial<Record<'collector' | 'pipeline' | 'edge' | 'demo-site' | 'console', Record<string, string>>>;
  log?: (line: string) => void;
}

export interface Stack {
  kafkaBrokers: string[];
  redisUrl?: string;
  /** With `cluster`: the Kafka cluster's nodes, to kill and restart one by its handle. */
  kafkaCluster?: KafkaCluster;
  /** With `cluster`: the Redis Cluster's nodes, to kill and restart one by its handle. */
  redisCluster?: RedisCluster;
  collectorUrl?: string;
  pipelineUrl?: string;
  edgeUrl?: string;
  demoUrl?: string;
  /** The console (log in with `secrets.admin`). */
  consoleUrl?: string;
  siteKey: string;
  /** The storefront's origin, which the edge lets browsers post from for `siteKey` (set once the edge runs). */
  siteOrigin?: string;
  /** Every scope's secret, and `siteIdentity` / `siteServer`: those of `siteKey`. */
  secrets: StackSecrets;
  /** The relay secret (`secrets.relay`). */
  secret: string;
  /** The collector's read API secret (`secrets.read`). */
  readSecret: string;
  topicPrefix: string;
  /** part → log file, for the parts this stack started. */
  logs: Partial<Record<Part, string>>;
  /** Stops one part and leaves the others running (tests of degraded modes). */
  stopPart(part: Part): Promise<void>;
  /** Ends one part with SIGKILL, by its own handle, as a crash would: nothing flushed, nothing said goodbye. */
  killPart(part: Part): Promise<void>;
  /** Starts a stopped or killed part again on the same port with the same data (Kafka's log dirs, Redis's AOF, the edge's persisted objects); resolves once it is ready. */
  restartPart(part: Part): Promise<void>;
  /** Freezes one part (SIGSTOP to its process group): a stall, not a crash. */
  pausePart(part: Part): void;
  /** Lets a paused part run again (SIGCONT). */
  resumePart(part: Part): void;
  stop(): Promise<void>;
}

export interface StackSecrets extends LocalSecrets {
  /** The stack's site's identity secret: identity tokens for `stack.siteKey` are signed with it. */
  siteIdentity: string;
  /** The stack's site's server secret: the bearer of `GET /v1/decide` and of collect requests without an Origin. */
  siteServer: string;
}

/** `secrets` with the stack's own site among its sites (made for it when missing) and the overrides applied. */
function stackSecrets(opts: StackOptions, siteKey: string): StackSecrets {
  const base = opts.secrets ?? generateSecrets([siteKey]);
  const site = base.sites[siteKey] ?? generateSecrets([siteKey]).sites[siteKey]!;
  return {
    ...base,
    relay: opts.secret ?? base.relay,
    read: opts.readSecret ?? base.read,
    sites: { ...base.sites, [siteKey]: site },
    siteIdentity: site.identity,
    siteServer: site.server,
  };
}

/** The Kafka cluster of `cluster: true`. */
const CLUSTER_KAFKA = { brokers: 3, minInsyncReplicas: 2 } as const;

const needs: Record<Part, Part[]> = {
  kafka: [],
  redis: [],
  collector: ['kafka'],
  pipeline: ['kafka', 'redis'],
  edge: ['collector'],
  'demo-site': ['edge'],
  console: ['collector', 'pipeline'],
};

function withDependencies(parts: Part[]): Set<Part> {
  const out = new Set<Part>();
  const add = (p: Part): void => {
    if (out.has(p)) return;
    out.add(p);
    needs[p].forEach(add);
  };
  parts.forEach(add);
  return out;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const parts = withDependencies(opts.parts ?? ['kafka', 'redis', 'collector', 'pipeline', 'edge', 'demo-site', 'console']);
  const port = async (name: keyof NonNullable<StackOptions['ports']>): Promise<number> => opts.ports?.[name] ?? freePort();
  const logDir = path.join(opts.dir, 'logs');
  /** Each part this stack runs, in start order; `start` runs it again on its port with its data (a cluster has no `start`: kill its nodes by their handles instead). */
  const running: RunningPart[] = [];
  const siteKey = opts.siteKey ?? 'demo-site-key';
  const secrets = stackSecrets(opts, siteKey);
  const entryOf = (part: Part): RunningPart => {
    const entry = running.find((r) => r.part === part);
    if (!entry) throw new Error(`${part} is not part of this stack`);
    return entry;
  };
  const childOf = (part: Part): Child => {
    const entry = entryOf(part);
    if (!entry.child) throw new Error(`${part}: this stack has no single process to signal (a cluster, or a server it did not start)`);
    if (!entry.child.isRunning()) throw new Error(`${part} is not running`);
    return entry.child;
  };
  const stack: Stack = {
    kafkaBrokers: opts.kafkaBrokers ?? [],
    siteKey,
    secrets,
    secret: secrets.relay,
    readSecret: secrets.read,
    topicPrefix: opts.topicPrefix ?? 'sf',
    logs: {},
    async stopPart(part) {
      const entry = entryOf(part);
      entry.stopped = true;
      await entry.stop();
    },
    async killPart(part) {
      await childOf(part).kill();
    },
    async restartPart(part) {
      const entry = entryOf(part);
      if (!entry.start) throw new Error(`${part}: this stack cannot restart it (a cluster, or a server it did not start)`);
      if (entry.child?.isRunning()) throw new Error(`${part} is still running: stop or kill it first`);
      log(`${part}: restarting…`);
      Object.assign(entry, await entry.start(), { stopped: false });
    },
    pausePart(part) {
      childOf(part).pause();
    },
    resumePart(part) {
      childOf(part).resume();
    },
    async stop() {
      // Reverse order: the collector flushes to Kafka before Kafka goes.
      for (const entry of running.splice(0).reverse()) {
        if (entry.stopped) continue;
        // A paused part would sit out its grace period frozen.
        if (entry.child?.isRunning()) entry.child.resume();
        await entry.stop().catch((err: unknown) => log(`${entry.part}: stop failed: ${err instanceof Error ? err.message : String(err)}`));
      }
    },
  };
  /** Runs `start` now and keeps it to run the part again (restartPart). */
  const launch = async (part: Part, start: () => Promise<Launched>): Promise<void> => {
    running.push({ part, ...(await start()), start });
  };
  /** A part run as an HTTP child process: announced, on its port, logging to logs/<part>.log, stopped with the stack. Returns its URL. */
  const startService = async (
    part: 'collector' | 'pipeline' | 'edge' | 'demo-site' | 'console',
    start: (port: number, logFile: string) => Promise<HttpService>,
    starting = 'starting…',
  ): Promise<string> => {
    log(`${part}: ${starting}`);
    const logFile = path.join(logDir, `${part}.log`);
    const servicePort = await port(part);
    let url = '';
    await launch(part, async () => {
      const service = await start(servicePort, logFile);
      url = service.url;
      return { stop: service.stop, child: service.child };
    });
    stack.logs[part] = logFile;
    return url;
  };
  const envOf = (part: keyof NonNullable<StackOptions['partEnv']>): { env?: Record<string, string> } => {
    const env = opts.partEnv?.[part];
    return env ? { env } : {};
  };

  try {
    if (parts.has('kafka')) {
      if (opts.kafkaBrokers && opts.kafkaBrokers.length > 0) {
        log(`kafka: using ${opts.kafkaBrokers.join(',')} (KAFKA_BROKERS)`);
      } else if (opts.cluster) {
        log(`kafka: starting a ${CLUSTER_KAFKA.brokers}-node KRaft cluster (replication factor ${CLUSTER_KAFKA.brokers}, min.insync.replicas ${CLUSTER_KAFKA.minInsyncReplicas})…`);
        const dir = path.join(opts.dir, 'kafka-cluster');
        // Its ports are new at each start, and its storage names the old ones: a new cluster each time.
        rmSync(dir, { recursive: true, force: true });
        const kafka = await startKafkaCluster({ dir, ...CLUSTER_KAFKA, heap: opts.kafkaHeap ?? '256m', log });
        running.push({ part: 'kafka', stop: kafka.stop });
        stack.kafkaBrokers = kafka.brokers;
        stack.kafkaCluster = kafka;
        stack.logs.kafka = path.join(dir, 'node-*', 'logs', 'server.log');
      } else {
        log('kafka: starting a single-node KRaft broker…');
        const kafkaOptions = {
          dir: path.join(opts.dir, 'kafka'),
          port: await port('kafka'),
          controllerPort: await port('kafkaController'),
          heap: opts.kafkaHeap ?? '512m',
          log,
        };
        await launch('kafka', async () => {
          const kafka = await startKafka(kafkaOptions);
          stack.kafkaBrokers = kafka.brokers;
          stack.logs.kafka = kafka.logFile;
          return { stop: kafka.stop, child: kafka.child };
        });
      }
    }
    if (parts.has('redis')) {
      if (opts.redisUrl) {
        log(`redis: using ${opts.redisUrl} (REDIS_URL)`);
        stack.redisUrl = opts.redisUrl;
      } else if (opts.cluster) {
        log('redis: starting a Redis Cluster (3 masters, a replica each)…');
        const dir = path.join(opts.dir, 'redis-cluster');
        const redis = await startRedisCluster({ dir, log });
        running.push({ part: 'redis', stop: redis.stop });
        stack.redisUrl = redis.url;
        stack.redisCluster = redis;
        stack.logs.redis = path.join(dir, 'node-*', 'redis.log');
      } else {
        log(`redis: starting redis-server${opts.redisAppendOnly ? ' (AOF, fsync every second)' : ''}…`);
        const redisOptions = { dir: path.join(opts.dir, 'redis'), port: await port('redis'), appendOnly: opts.redisAppendOnly ?? false };
        await launch('redis', async () => {
          const redis = await startRedis(redisOptions);
          stack.redisUrl = redis.url;
          stack.logs.redis = redis.logFile;
          return { stop: redis.stop, child: redis.child };
        });
      }
    }
    // The collector's erasure calls the edge, which starts after it: the edge's port is chosen now.
    const edgePort = parts.has('edge') ? await port('edge') : undefined;
    const edgeUrl = edgePort !== undefined ? `http://127.0.0.1:${edgePort}` : undefined;
    // Topics the collector and the pipeline create are replicated on every node of the Kafka cluster.
    const replication = stack.kafkaCluster
      ? { KAFKA_REPLICATION_FACTOR: String(CLUSTER_KAFKA.brokers), KAFKA_MIN_INSYNC_REPLICAS: String(CLUSTER_KAFKA.minInsyncReplicas) }
      : undefined;
    if (parts.has('collector')) {
      stack.collectorUrl = await startService('collector', (port, logFile) =>
        startCollectorProcess({
          port,
          brokers: stack.kafkaBrokers,
          secret: secrets.relay,
          readSecret: secrets.read,
          catalogSecret: secrets.catalog,
          adminSecret: secrets.admin,
          erasureSecret: secrets.erasure,
          edgeUrl,
          edgeAdminSecret: edgeUrl !== undefined ? secrets.edgeAdmin : undefined,
          redisUrl: stack.redisUrl,
          topicPrefix: stack.topicPrefix,
          logFile,
          env: { ...replication, ...opts.partEnv?.collector },
        }),
      );
    }
    if (parts.has('pipeline') && stack.redisUrl) {
      const redisUrl = stack.redisUrl;
      stack.pipelineUrl = await startService('pipeline', (port, logFile) =>
        startPipelineProcess({
          port,
          brokers: stack.kafkaBrokers,
          redisUrl,
          erasureSecret: secrets.erasure,
          topicPrefix: stack.topicPrefix,
          logFile,
          env: { ...replication, ...opts.partEnv?.pipeline },
        }),
      );
    }
    if (edgePort !== undefined && stack.collectorUrl) {
      const collectorUrl = stack.collectorUrl;
      const demoPort = await port('demo-site');
      opts = { ...opts, ports: { ...opts.ports, edge: edgePort, 'demo-site': demoPort } };
      const siteOrigin = `http://127.0.0.1:${demoPort}`;
      stack.siteOrigin = siteOrigin;
      stack.edgeUrl = await startService(
        'edge',
        (port, logFile) =>
          startEdgeProcess({
            port,
            collectorUrl,
            secret: secrets.relay,
            readSecret: secrets.read,
            adminSecret: secrets.edgeAdmin,
            sites: { [siteKey]: { origins: [siteOrigin, `http://localhost:${demoPort}`] } },
            siteSecrets: secrets.sites,
            persistDir: path.join(opts.dir, 'wrangler'),
            logFile,
            vars: opts.partEnv?.edge,
          }),
        'starting wrangler dev (workerd)…',
      );
    }
    if (parts.has('demo-site') && stack.edgeUrl) {
      const edgeUrl = stack.edgeUrl;
      stack.demoUrl = await startService('demo-site', (port, logFile) =>
        startDemoSiteProcess({
          port,
          edgeUrl,
          siteKey,
          identitySecret: secrets.siteIdentity,
          collectorUrl: stack.collectorUrl,
          catalogSecret: secrets.catalog,
          logFile,
          ...envOf('demo-site'),
        }),
      );
    }
    if (parts.has('console') && stack.collectorUrl) {
      const collectorUrl = stack.collectorUrl;
      stack.consoleUrl = await startService('console', (port, logFile) =>
        startConsoleProcess({ port, collectorUrl, pipelineUrl: stack.pipelineUrl, readSecret: secrets.read, adminSecret: secrets.admin, logFile, ...envOf('console') }),
      );
    }
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

/** A part as started: how to stop it, and its process when it is one. */
interface Launched {
  stop: () => Promise<void>;
  child?: Child;
}

interface RunningPart extends Launched {
  part: Part;
  /** Stopped by stopPart (and not restarted since). */
  stopped?: boolean;
  start?: () => Promise<Launched>;
}

/** KAFKA_BROKERS / REDIS_URL from the environment, as the stack options take them. */
export function existingServersFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<StackOptions, 'kafkaBrokers' | 'redisUrl'> {
  const brokers = env.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter(Boolean);
  return { kafkaBrokers: brokers && brokers.length > 0 ? brokers : undefined, redisUrl: env.REDIS_URL || undefined };
}
