/**
 * One single-node KRaft broker for a whole test run, the broker a vitest
 * globalSetup starts once and provides to every file of the run: each file
 * keeps to its own topic prefix and consumer groups, so they can share it (a
 * broker per file cost about 12 s each). It lives in a temp folder of its own,
 * removed when it stops; `stop` stops it by its handle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../process/ports.js';
import { startKafka } from './broker.js';

/** What a run's files are given of the shared broker. */
export interface SharedBroker {
  kafkaBrokers: string[];
}

export interface RunBroker extends SharedBroker {
  /** Where its data and logs are: removed by `stop`. */
  dir: string;
  stop(): Promise<void>;
}

export interface RunBrokerOptions {
  /** The start of the temp folder's name, so a kept or leftover folder says which run it was (`sf-collector-broker-`). */
  tmpPrefix: string;
  /** JVM heap. Default 384m: less than a dev broker's, on a machine the run shares with other processes. */
  heap?: string;
  log?: (line: string) => void;
}

export async function startRunBroker(o: RunBrokerOptions): Promise<RunBroker> {
  const dir = mkdtempSync(path.join(os.tmpdir(), o.tmpPrefix));
  try {
    const broker = await startKafka({
      dir: path.join(dir, 'kafka'),
      port: await freePort(),
      controllerPort: await freePort(),
      heap: o.heap ?? '384m',
      ...(o.log !== undefined ? { log: o.log } : {}),
    });
    return {
      kafkaBrokers: broker.brokers,
      dir,
      async stop() {
        await broker.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
