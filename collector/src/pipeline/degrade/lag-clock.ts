/**
 * A stage's lag in time: seconds between now and the oldest record it has not applied yet, its worst
 * partition's; 0 when caught up. The stage consumer tells it what each batch shows:
 *
 * - a batch begins: its first record not applied yet (at or past the offset this process stored last, or the
 *   one stored in Redis when the partition was assigned) is the partition's oldest unapplied record, exactly, and
 *   stays so until the batch applies: a batch that fails or takes long keeps it, and the lag grows with the clock;
 *   records applied before (a restart's first batches, fetched before its seek) count for nothing;
 * - a batch applied: caught up when Kafka said the batch reached the partition's end (its offset lag 0); else
 *   the next record waits, and until its batch begins its time is taken as the last applied record's (it can
 *   only be as old or newer: this overstates the lag by the gap between two records, never understates it).
 *
 * What it cannot see: records produced after the stage's latest fetch of a partition, until a fetch brings
 * them (the consumer fetches again as soon as its batches are applied; a process that stopped is what
 * `pipeline_silent` is for, see ../../degrade/degradation-view.ts).
 *
 * `sample` gives the worst lag since the previous sample, not only the lag at that moment: a backlog applied
 * between two samples was still seconds behind, and the level must see it.
 */
export class LagClock {
  /** Per `topic:partition`: epoch ms of its oldest record not applied yet; absent when caught up (or unknown). */
  private readonly oldest = new Map<string, number>();
  /** The worst lag seen since the last sample, ms. */
  private peakMs = 0;

  batchStarted(topic: string, partition: number, oldestUnappliedAt: number, now: number): void {
    this.oldest.set(`${topic}:${partition}`, oldestUnappliedAt);
    this.peakMs = Math.max(this.peakMs, now - oldestUnappliedAt);
  }

  batchApplied(topic: string, partition: number, lastAppliedAt: number, caughtUp: boolean, now: number): void {
    const key = `${topic}:${partition}`;
    if (caughtUp) this.oldest.delete(key);
    else this.oldest.set(key, lastAppliedAt);
    this.peakMs = Math.max(this.peakMs, caughtUp ? 0 : now - lastAppliedAt);
  }

  /** The partitions moved (a rebalance, a stop): what they showed is another instance's to tell now. */
  forgetAll(): void {
    this.oldest.clear();
  }

  /** The lag now, ms: the worst partition's; 0 when every partition is caught up. */
  lagMs(now: number): number {
    let worst = 0;
    for (const at of this.oldest.values()) worst = Math.max(worst, now - at);
    return worst;
  }

  /** The worst lag since the previous sample (or now's, if worse), ms; starts the next period. */
  sample(now: number): number {
    const worst = Math.max(this.peakMs, this.lagMs(now));
    this.peakMs = 0;
    return worst;
  }
}

/** One clock per stage, made on first use: the stages of one process report through the same set. */
export class StageLagClocks {
  private readonly clocks = new Map<string, LagClock>();

  constructor(stages: readonly string[] = []) {
    for (const stage of stages) this.of(stage);
  }

  of(stage: string): LagClock {
    let clock = this.clocks.get(stage);
    if (clock === undefined) {
      clock = new LagClock();
      this.clocks.set(stage, clock);
    }
    return clock;
  }

  stages(): string[] {
    return [...this.clocks.keys()];
  }
}
