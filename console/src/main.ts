#!/usr/bin/env node
/**
 * Runs the console: CONSOLE_PORT (8791), CONSOLE_HOST (127.0.0.1), COLLECTOR_URL, PIPELINE_URL,
 * READ_API_SECRET, ADMIN_SECRET (the collector's; also the login). See README.md.
 */
import { readConfig } from './config.js';
import { startConsole } from './server.js';

try {
  const { config, warnings } = readConfig(process.env);
  for (const warning of warnings) console.warn(`console: warning: ${warning}`);
  const running = await startConsole(config);
  console.log(`console: on ${running.url}/ (collector ${config.collectorUrl}, pipeline ${config.pipelineUrl}); log in with ADMIN_SECRET`);
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(`console: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
