#!/usr/bin/env node
/**
 * Command-line entry of the pipeline (`npm run pipeline`): reads the
 * environment once, starts, prints one line with the probes' URL on stdout,
 * and stops cleanly on SIGTERM/SIGINT (a second signal exits at once).
 */
// First, before kafkajs loads: the stages' producers encode with the collector's faster equivalents (../kafka/kafkajs-fast-paths.ts).
import '../kafka/install-fast-paths.js';
import { runUntilSignal } from '../process/run-until-signal.js';
import { startPipeline } from './pipeline.js';

async function main(): Promise<void> {
  const pipeline = await startPipeline();
  process.stdout.write(`sessionflow pipeline running, probes on ${pipeline.url}\n`);

  runUntilSignal(pipeline, {
    // A stage kafkajs gave up on: stop and exit non-zero, so whatever supervises the process restarts it.
    failure: pipeline.failed.then((error) => `a pipeline stage stopped consuming: ${error.message}; exiting`),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
