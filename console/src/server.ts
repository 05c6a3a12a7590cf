/**
 * Starts a console: its samplers (metrics every poll interval, experiment readouts on their
 * cadence), the live hub and the HTTP server; and stops them. Tests call `startConsole` in-process;
 * main.ts is the command-line entry around it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createConsoleApp } from './app.js';
import { DEFAULT_CONFIG, type ConsoleConfig } from './config.js';
import { ReadoutSampler } from './experiments/sampler.js';
import { MetricsSampler } from './health/sampler.js';
import { feedReaders } from './live/feeds.js';
import { LiveHub } from './live/hub.js';
import { collectorClient, scrape } from './upstream/collector.js';

export { createConsoleApp, type ConsoleAppDeps } from './app.js';
export { DEFAULT_CONFIG, readConfig, type ConsoleConfig } from './config.js';

export interface RunningConsole {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startConsole(overrides: Partial<ConsoleConfig> = {}): Promise<RunningConsole> {
  const config: ConsoleConfig = { ...DEFAULT_CONFIG, ...overrides };
  const collector = collectorClient({ baseUrl: config.collectorUrl, readSecret: config.readSecret, adminSecret: config.adminSecret });
  const pipelineMetrics = config.pipelineUrl.endsWith('/metrics') ? config.pipelineUrl : `${config.pipelineUrl}/metrics`;
  const metrics = new MetricsSampler({ scrapeCollector: collector.metricsText, scrapePipeline: () => scrape(fetch, pipelineMetrics) });
  const readouts = new ReadoutSampler(collector, config.readoutSampleMs, config.readoutHistory);
  const hub = new LiveHub(config.pollMs);
  const readers = feedReaders({ collector, metrics, readouts, now: Date.now });
  const app = createConsoleApp({ adminSecret: config.adminSecret, sessionHours: config.sessionHours, collector, hub, readers });

  const timers = [repeat(() => metrics.sample(), config.pollMs), repeat(() => readouts.sample(), config.readoutSampleMs)];
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s as Server));
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        timers.forEach((stop) => stop());
        hub.close();
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}

/** Runs `work` now and then every `everyMs` after the previous run ended; returns the stop. */
function repeat(work: () => Promise<unknown>, everyMs: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = async (): Promise<void> => {
    await work().catch(() => undefined);
    if (!stopped) timer = setTimeout(() => void run(), everyMs);
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
