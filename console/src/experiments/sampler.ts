/**
 * Samples every configured experiment's readout on a cadence into the bounded lift history, and
 * keeps the latest readouts for the Experiments page.
 */
import type { CollectorClient } from '../upstream/collector.js';
import type { ExperimentsFeed } from '../shared/feeds.js';
import type { ExperimentView } from '../shared/contract.js';
import { ReadoutHistory } from './readout-history.js';

export class ReadoutSampler {
  readonly history: ReadoutHistory;
  private latest: { list: { key: string; variants: string[] }[]; readouts: Map<string, ExperimentView>; problems: string[] } = {
    list: [],
    readouts: new Map(),
    problems: ['no readout sampled yet'],
  };

  constructor(
    private readonly collector: CollectorClient,
    readonly sampleEveryMs: number,
    historyLimit: number,
    private readonly now: () => number = Date.now,
  ) {
    this.history = new ReadoutHistory(historyLimit);
  }

  private lastRecordedAt = -Infinity;

  /**
   * Reads every experiment's readout again; never throws (what failed becomes a problem on the feed).
   * The live page calls it at its poll cadence, a timer at `sampleEveryMs`; the history takes a
   * sample only when `sampleEveryMs` has passed since its last one, whoever called.
   */
  async sample(): Promise<void> {
    const problems: string[] = [];
    let list: { key: string; variants: string[] }[];
    try {
      list = (await this.collector.experiments()).experiments;
    } catch (error) {
      this.latest = { ...this.latest, problems: [`experiments: ${message(error)}`] };
      return;
    }
    const readouts = new Map<string, ExperimentView>();
    const at = this.now();
    const record = at - this.lastRecordedAt >= this.sampleEveryMs;
    if (record) this.lastRecordedAt = at;
    await Promise.all(
      list.map(async ({ key }) => {
        try {
          const view = await this.collector.experiment(key);
          readouts.set(key, view);
          if (record) this.history.record(view, at);
        } catch (error) {
          problems.push(`experiment ${key}: ${message(error)}`);
        }
      }),
    );
    this.history.keepOnly(list.map((e) => e.key));
    this.latest = { list, readouts, problems };
  }

  feed(): ExperimentsFeed {
    return {
      at: this.now(),
      experiments: this.latest.list.map(({ key, variants }) => ({ key, variants, readout: this.latest.readouts.get(key) ?? null, history: this.history.points(key) })),
      sampleEveryMs: this.sampleEveryMs,
      historyLimit: this.history.limit,
      problems: this.latest.problems,
    };
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
