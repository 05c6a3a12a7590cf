/**
 * Debian's redis-server on a loopback port: the online store the pipeline
 * uses. Nothing is persisted by default (a dev store that forgets on restart);
 * `appendOnly` turns on the AOF, fsynced every second, as an operator runs it
 * in production: a crash then loses at most the last second of writes, which
 * the pipeline replays from Kafka (its offsets are in the same writes).
 */
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startChild, waitUntil, type Child } from '../process/child.js';

export interface RedisOptions {
  dir: string;
  port: number;
  readyTimeoutMs?: number;
  /** Appended to the defaults below; a later directive wins (a cluster node turns persistence on here). */
  extraArgs?: string[];
  /** For messages and the handle; default `redis`. */
  name?: string;
  /** Persistence on: `appendonly yes`, `appendfsync everysec` (the data stays in `dir` across restarts). */
  appendOnly?: boolean;
}

export interface RedisServer {
  url: string;
  child: Child;
  logFile: string;
  stop(): Promise<void>;
}

/** Sends PING in RESP and resolves true on +PONG. */
export function redisPing(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString('utf8').startsWith('+PONG')));
  });
}

export async function startRedis(opts: RedisOptions): Promise<RedisServer> {
  mkdirSync(opts.dir, { recursive: true });
  const logFile = path.join(opts.dir, 'redis.log');
  const child = startChild({
    name: opts.name ?? 'redis',
    command: 'redis-server',
    args: [
      '--bind', '127.0.0.1',
      '--port', String(opts.port),
      '--dir', opts.dir,
      '--save', '',
      '--appendonly', opts.appendOnly ? 'yes' : 'no',
      ...(opts.appendOnly ? ['--appendfsync', 'everysec'] : []),
      '--daemonize', 'no',
      ...(opts.extraArgs ?? []),
    ],
    logFile,
  });
  const url = `redis://127.0.0.1:${opts.port}`;
  try {
    await waitUntil(opts.name ?? 'redis', () => redisPing(url), { timeoutMs: opts.readyTimeoutMs ?? 15_000, child });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, child, logFile, stop: () => child.stop(10_000) };
}
