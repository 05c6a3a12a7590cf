/**
 * No silent loss, on real Kafka and Redis with the pipeline as a process of
 * its own: one command of a batch fails (a key of the wrong type), so nothing
 * of the batch is applied and its offset does not move; the aggregates stage
 * stops taking that partition, says so in its log and /metrics, and tries
 * again on a backoff; once the key is fixed, the batch (and what arrived
 * behind it) applies exactly once.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRef, topicNames, type SessionflowEvent } from '@sessionflow/core';
import { stageOffsetKeys } from '../../src/pipeline/stage-offsets.js';
import { eventually, getEach, layoutOf, newVisitor, pageView, produceEvents, productClick, readyProbes, startInfra, startPipelineChild, type Infra } from './support.js';

const prefix = 'it-loss';
const topics = topicNames(prefix);
const layout = layoutOf(prefix);

let infra: Infra;

beforeAll(async () => {
  infra = await startInfra();
  await infra.createTopics(topics);
});

afterAll(async () => {
  await infra?.stop();
});

const send = (events: SessionflowEvent[]) => produceEvents(infra, topics.events, events);

/** The aggregates stage's stored next offset of each by-user partition, and Kafka's end of it. */
async function byUserProgress(): Promise<{ partition: number; stored: string | null; end: string }[]> {
  const ends = await infra.admin.fetchTopicOffsets(topics.eventsByUser);
  const offsetKey = stageOffsetKeys(prefix).aggregates;
  // Each partition's offset is in its own slot on a cluster: one GET each.
  const stored = await getEach(infra.store, ends.map((p) => offsetKey(topics.eventsByUser, p.partition)));
  return ends.map((p, i) => ({ partition: p.partition, stored: stored[i] ?? null, end: p.high })).sort((a, b) => a.partition - b.partition);
}

/** True once the by-user topic holds `records` and the aggregates stage applied all of them. */
const appliedAll = (records: number) => async () => {
  const progress = await byUserProgress();
  return progress.reduce((sum, p) => sum + Number(p.end), 0) === records && progress.every((p) => (p.stored ?? '0') === p.end);
};

describe('a batch with a command that fails', () => {
  it('applies nothing, keeps its offset, stops the partition saying why, and applies exactly once when the key is fixed', async () => {
    const child = startPipelineChild(infra, {
      name: 'pipeline',
      prefix,
      logName: 'pipeline-no-loss.log',
      env: { LOG_LEVEL: 'info', PIPELINE_RETRY_BACKOFF_MS: '200', PIPELINE_RETRY_BACKOFF_MAX_MS: '1000' },
    });
    const log = () => readFileSync(child.logFile, 'utf8');
    try {
      const probes = await readyProbes(child);
      const metrics = async () => (await fetch(`${probes}/metrics`)).text();

      // A first batch applies: the shop's state before the failure.
      const shopper = newVisitor();
      // The shopper is anonymous: all of its records go to its device's by-user partition, which keeps their state.
      const keys = layout.profile(deviceRef(shopper.anonymousId));
      const t = Date.now() - 60_000;
      await send([productClick(shopper, 'mug', 'kitchen', t), pageView(shopper, t + 1)]);
      await eventually('the first batch applied', appliedAll(2), 60_000);
      const before = await byUserProgress();
      const partition = before.find((p) => p.end !== '0')?.partition;
      expect(partition).toBeDefined();
      const offsetBefore = before.find((p) => p.partition === partition)?.stored;
      expect(offsetBefore).toBe('2');
      expect(await infra.store.zScore(keys.popularity, 'mug')).toBe(1);

      // The garden category's popularity is a string now: the next batch's ZINCRBY on it would fail.
      await infra.store.set(keys.categoryPopularity('garden'), 'not a sorted set');
      const failing = [productClick(shopper, 'mug', 'kitchen', t + 2), productClick(shopper, 'rake', 'garden', t + 3), productClick(shopper, 'pan', 'kitchen', t + 4)];
      await send(failing);
      await eventually('the stage to say it stopped taking the partition, twice (a retry on its backoff failed too)', async () => (log().match(/aggregates stage stopped taking it-loss\.events\.by-user partition/g) ?? []).length >= 2, 60_000);

      // Nothing of the batch: not the offset, not the popularity (global or the kitchen's), not the profile's recently viewed, no seen key.
      const during = await byUserProgress();
      expect(during.find((p) => p.partition === partition)?.stored).toBe(offsetBefore);
      expect(during.find((p) => p.partition === partition)?.end).toBe('5');
      expect(await infra.store.zRangeWithScores(keys.popularity, 0, -1)).toEqual([{ value: 'mug', score: 1 }]);
      expect(await infra.store.zScore(keys.categoryPopularity('kitchen'), 'pan')).toBeNull();
      expect(await infra.store.mGet(failing.map((e) => keys.seenEvent(e.eventId)))).toEqual([null, null, null]);
      expect(await infra.store.get(keys.categoryPopularity('garden'))).toBe('not a sorted set');

      // The reason in the log, the partition in /metrics.
      expect(log()).toContain(`${keys.categoryPopularity('garden')} is a string, not a zset`);
      const stopped = await metrics();
      expect(stopped).toContain(`sessionflow_pipeline_partition_stopped{stage="aggregates",topic="${topics.eventsByUser}",partition="${partition}"} 1`);
      expect(stopped).toMatch(new RegExp(`sessionflow_pipeline_batch_failures_total\\{stage="aggregates",topic="${topics.eventsByUser}",kind="would_fail"\\} [2-9]`));

      // What arrives behind the failed batch waits for it: never applied past it.
      const behind = [productClick(shopper, 'hose', 'garden', t + 5)];
      await send(behind);
      await eventually('the identity stage to re-key it', async () => (await byUserProgress()).find((p) => p.partition === partition)?.end === '6', 60_000);
      expect((await byUserProgress()).find((p) => p.partition === partition)?.stored).toBe(offsetBefore);

      // The cause goes: the partition resumes from the stored offset and applies the batch, and what came behind it, once.
      await infra.store.del(keys.categoryPopularity('garden'));
      await eventually('the stopped partition to catch up', appliedAll(6), 60_000);
      expect(new Map((await infra.store.zRangeWithScores(keys.popularity, 0, -1)).map(({ value, score }) => [value, score]))).toEqual(
        new Map([['mug', 2], ['rake', 1], ['pan', 1], ['hose', 1]]),
      );
      expect(new Map((await infra.store.zRangeWithScores(keys.categoryPopularity('garden'), 0, -1)).map(({ value, score }) => [value, score]))).toEqual(new Map([['rake', 1], ['hose', 1]]));
      expect(await infra.store.zScore(keys.categoryPopularity('kitchen'), 'mug')).toBe(2);
      await eventually('the gauge to say the partition is taken again', async () => (await metrics()).includes(`sessionflow_pipeline_partition_stopped{stage="aggregates",topic="${topics.eventsByUser}",partition="${partition}"} 0`));
      expect(log()).toContain(`aggregates stage takes ${topics.eventsByUser} partition ${partition} again`);
    } finally {
      await child.stop(10_000);
    }
  });
});
