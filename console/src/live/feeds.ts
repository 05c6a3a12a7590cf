/**
 * What each page's feed reads: the collector's read routes through the console's own client (with
 * the read secret), and the samplers' pictures. A route that fails leaves its part of the picture
 * empty and says why in `problems`.
 */
import type { ExperimentsFeed, HealthFeed, NowFeed, RulesFeed, SessionFeed, SessionsFeed } from '../shared/feeds.js';
import type { ReadoutSampler } from '../experiments/sampler.js';
import type { MetricsSampler } from '../health/sampler.js';
import type { CollectorClient } from '../upstream/collector.js';
import { withReasons } from '../health/degradation.js';

/** Sessions listed on the Live sessions page (the route allows up to 200). */
export const SESSIONS_LIMIT = 50;
/** The Now page's funnel window and the Rules page's fires window, as the issue asks. */
export const WINDOW_MINUTES = 15;

export interface FeedSources {
  collector: CollectorClient;
  metrics: MetricsSampler;
  readouts: ReadoutSampler;
  now: () => number;
}

export function feedReaders(src: FeedSources) {
  const settle = async <T>(what: string, read: () => Promise<T>, problems: string[]): Promise<T | null> => {
    try {
      return await read();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };
  return {
    async now(): Promise<NowFeed> {
      const problems: string[] = [];
      const [open, funnel] = await Promise.all([
        settle('open sessions', () => src.collector.openSessions(1), problems),
        settle('funnel', () => src.collector.funnel(WINDOW_MINUTES), problems),
      ]);
      const metrics = src.metrics.latest();
      problems.push(...metrics.health.problems.filter((p) => p.startsWith('collector')));
      return {
        at: src.now(),
        open: open?.open ?? null,
        visitors: open?.visitors ?? null,
        eventsPerSecond: metrics.eventsPerSecond,
        eventsPerSecondHistory: metrics.eventsPerSecondHistory,
        funnel,
        problems,
      };
    },
    async sessions(): Promise<SessionsFeed> {
      const problems: string[] = [];
      const open = await settle('open sessions', () => src.collector.openSessions(SESSIONS_LIMIT), problems);
      return { at: src.now(), open: open?.open ?? null, visitors: open?.visitors ?? null, sessions: open?.sessions ?? [], problems };
    },
    async session(sessionId: string): Promise<SessionFeed> {
      const problems: string[] = [];
      const session = await settle('session', () => src.collector.session(sessionId), problems);
      return { at: src.now(), sessionId, session, problems };
    },
    async experiments(): Promise<ExperimentsFeed> {
      await src.readouts.sample();
      return src.readouts.feed();
    },
    async rules(): Promise<RulesFeed> {
      const problems: string[] = [];
      const [rules, fires] = await Promise.all([
        settle('rules in force', () => src.collector.adminRules(), problems),
        settle('rule fires', () => src.collector.ruleFires(WINDOW_MINUTES), problems),
      ]);
      return { at: src.now(), rules, fires, problems };
    },
    async health(): Promise<HealthFeed> {
      const problems: string[] = [];
      const told = await settle('degradation', () => src.collector.degradation(), problems);
      const metrics = src.metrics.latest();
      return { at: metrics.at, ...metrics.health, degradation: withReasons(metrics.health.degradation, told), problems: [...metrics.health.problems, ...problems] };
    },
  };
}

export type FeedReaders = ReturnType<typeof feedReaders>;
