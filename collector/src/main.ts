#!/usr/bin/env node
/**
 * Command-line entry: reads the environment once, starts the collector, prints
 * one line with its URL on stdout, and shuts down gracefully on SIGTERM/SIGINT
 * (a second signal exits at once).
 */
import { startCollector } from './server.js';

async function main(): Promise<void> {
  const collector = await startCollector();
  process.stdout.write(`sessionflow collector listening on ${collector.url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    collector.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
