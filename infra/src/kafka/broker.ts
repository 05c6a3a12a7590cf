/**
 * A single-node Apache Kafka broker (KRaft) on loopback, run with `java -cp`
 * from the jars Maven resolved. The storage is formatted on first start only.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startChild, waitUntil, type Child } from '../process/child.js';
import { log4jProperties, serverProperties } from './config.js';
import { ensureKafkaJars } from './jars.js';
import { kafkaAnswersMetadata } from './ready.js';

const run = promisify(execFile);

export interface KafkaOptions {
  /** Holds data/, logs/ and the generated config. */
  dir: string;
  port: number;
  controllerPort: number;
  /** Default partitions for topics created without a count. */
  partitions?: number;
  /** JVM heap, e.g. `512m`: a single dev broker needs little. */
  heap?: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface KafkaBroker {
  brokers: string[];
  child: Child;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * The storage tool's command line. The id goes as `--cluster-id=<id>`, one
 * argument: a base64url id starts with '-' one time in 32, and the tool would
 * take it for an option (`-t <id>` failed that way).
 */
export function formatArgs(clusterId: string, configFile: string): string[] {
  return ['kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', configFile];
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

export interface KafkaProcessOptions {
  /** Holds data/, logs/ and the generated config. */
  dir: string;
  /** The node's server.properties, given where its data and logs go. */
  properties: (dirs: { dataDir: string; logDir: string }) => string;
  /** Formats the storage with this id when it is not formatted yet; nodes of one cluster share it. */
  clusterId: string;
  heap: string;
  /** For messages and the child's name, e.g. `kafka-2`. */
  name: string;
  log: (line: string) => void;
}

/** Writes a node's config, formats its storage on first start only, and starts its JVM (not waiting for it to answer). */
export async function launchKafkaProcess(opts: KafkaProcessOptions): Promise<{ child: Child; logFile: string }> {
  const libs = await ensureKafkaJars(opts.log);
  const classpath = path.join(libs, '*');
  const dataDir = path.join(opts.dir, 'data');
  const logDir = path.join(opts.dir, 'logs');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });

  const configFile = path.join(opts.dir, 'server.properties');
  const log4jFile = path.join(opts.dir, 'log4j.properties');
  writeFileSync(configFile, opts.properties({ dataDir, logDir }));
  writeFileSync(log4jFile, log4jProperties(logDir));

  const jvm = [
    `-Xms${opts.heap}`,
    `-Xmx${opts.heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4jFile}`,
    `-Dkafka.logs.dir=${logDir}`,
  ];

  if (!existsSync(path.join(dataDir, 'meta.properties'))) {
    opts.log(`formatting KRaft storage in ${dataDir}`);
    await run('java', [...jvm, '-cp', classpath, ...formatArgs(opts.clusterId, configFile)], {
      maxBuffer: 4 * 1024 * 1024,
    });
  }

  const child = startChild({
    name: opts.name,
    command: 'java',
    args: [...jvm, '-cp', classpath, 'kafka.Kafka', configFile],
    logFile: path.join(logDir, 'stdout.log'),
  });
  return { child, logFile: path.join(logDir, 'server.log') };
}

export async function startKafka(opts: KafkaOptions): Promise<KafkaBroker> {
  const { child, logFile } = await launchKafkaProcess({
    dir: opts.dir,
    properties: ({ dataDir, logDir }) =>
      serverProperties({ port: opts.port, controllerPort: opts.controllerPort, dataDir, logDir, partitions: opts.partitions ?? 3 }),
    clusterId: newClusterId(),
    heap: opts.heap ?? '512m',
    name: 'kafka',
    log: opts.log ?? (() => {}),
  });
  const brokers = [`127.0.0.1:${opts.port}`];
  try {
    await waitUntil('kafka', () => kafkaAnswersMetadata(brokers), {
      timeoutMs: opts.readyTimeoutMs ?? 90_000,
      intervalMs: 500,
      child,
    });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    brokers,
    child,
    logFile,
    // A controlled shutdown of one node takes a few seconds; give it room before SIGKILL.
    stop: () => child.stop(30_000),
  };
}
