#!/usr/bin/env node
/**
 * Command-line entry: reads the environment once, starts the collector, prints
 * one line with its URL on stdout, and shuts down gracefully on SIGTERM/SIGINT
 * (a second signal exits at once).
 */
import { runUntilSignal } from './process/run-until-signal.js';
import { startCollector } from './server.js';

async function main(): Promise<void> {
  const collector = await startCollector();
  process.stdout.write(`sessionflow collector listening on ${collector.url}\n`);
  runUntilSignal(collector);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
