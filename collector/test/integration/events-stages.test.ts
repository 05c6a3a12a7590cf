/**
 * The identity and sessions stages fed by ONE consumer of the events topic,
 * on real Kafka and Redis with the pipeline as a process of its own: a batch
 * that fails in the sessions stage (a session's hash is a string, so its HSET
 * would fail) stops that stage on the partition, not the identity stage,
 * which goes on re-keying what comes behind it; once the key is fixed, the
 * sessions stage applies the batch and what came behind it exactly once,
 * and the identity stage, sought back with it, re-keys nothing twice.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames, type SessionflowEvent } from '@sessionflow/core';
import { sessionKeys } from '../../src/pipeline/sessions/keys.js';
import { SESSION_FIELDS } from '../../src/pipeline/sessions/stored.js';
import { stageOffsetKeys } from '../../src/pipeline/stage-offsets.js';
import { eventually, layoutOf, newVisitor, pageView, produceEvents, productClick, readyProbes, startInfra, startPipelineChild, type Infra } from './support.js';

const prefix = 'it-events-stages';
const topics = topicNames(prefix);
const layout = layoutOf(prefix);
const offsets = stageOffsetKeys(prefix);

let infra: Infra;

beforeAll(async () => {
  infra = await startInfra();
  await infra.createTopics(topics);
});

afterAll(async () => {
  await infra?.stop();
});

const send = (events: SessionflowEvent[]) => produceEvents(infra, topics.events, events);

/** Records in the by-user topic, over its partitions. */
async function byUserRecords(): Promise<number> {
  return (await infra.admin.fetchTopicOffsets(topics.eventsByUser)).reduce((sum, p) => sum + Number(p.high), 0);
}

describe('one consumer for the identity and sessions stages', () => {
  it('stops only the stage whose batch failed, lets the other go on, and applies everything exactly once in each when the key is fixed', async () => {
    const child = startPipelineChild(infra, {
      name: 'pipeline',
      prefix,
      logName: 'pipeline-events-stages.log',
      env: { LOG_LEVEL: 'info', PIPELINE_RETRY_BACKOFF_MS: '200', PIPELINE_RETRY_BACKOFF_MAX_MS: '1000' },
    });
    const log = () => readFileSync(child.logFile, 'utf8');
    try {
      const probes = await readyProbes(child);
      const metrics = async () => (await fetch(`${probes}/metrics`)).text();

      const shopper = newVisitor();
      const partition = layout.owners.events.of(shopper.anonymousId);
      const sessions = sessionKeys(prefix, topics.events, partition);
      const sessionsOffset = () => infra.store.get(offsets.sessions(topics.events, partition));
      const identityOffset = () => infra.store.get(offsets.identity(topics.events, partition));
      const t = Date.now() - 60_000;
      await send([pageView(shopper, t), productClick(shopper, 'mug', 'kitchen', t + 1)]);
      await eventually('both stages applied the first batch', async () => (await sessionsOffset()) === '2' && (await identityOffset()) === '2', 60_000);
      expect(await infra.store.hGet(sessions.session(shopper.sessionId), SESSION_FIELDS.version)).toBe('2');

      // Another session of the same device, whose hash is a string now: the sessions stage's batch with it would fail.
      const second = { ...shopper, sessionId: `${shopper.sessionId}-2` };
      await infra.store.set(sessions.session(second.sessionId), 'not a hash');
      await send([productClick(second, 'pan', 'kitchen', t + 2), productClick(second, 'rake', 'garden', t + 3)]);
      await eventually('the sessions stage to say it stopped taking the partition, twice', async () => (log().match(/sessions stage stopped taking it-events-stages\.events partition/g) ?? []).length >= 2, 60_000);

      // The identity stage goes on, with the failed batch and what comes behind it.
      await send([productClick(second, 'hose', 'garden', t + 4)]);
      await eventually('the identity stage to re-key every event', async () => (await identityOffset()) === '5' && (await byUserRecords()) === 5, 60_000);
      expect(await sessionsOffset()).toBe('2');
      const stopped = await metrics();
      expect(stopped).toContain(`sessionflow_pipeline_partition_stopped{stage="sessions",topic="${topics.events}",partition="${partition}"} 1`);
      expect(stopped).not.toContain(`sessionflow_pipeline_partition_stopped{stage="identity",topic="${topics.events}",partition="${partition}"} 1`);

      // The cause goes: the sessions stage applies from its own offset; the identity stage, sought back with it, skips what it applied.
      await infra.store.del(sessions.session(second.sessionId));
      await eventually('the sessions stage to catch up', async () => (await sessionsOffset()) === '5', 60_000);
      expect(await infra.store.hGet(sessions.session(shopper.sessionId), SESSION_FIELDS.version)).toBe('2');
      expect(await infra.store.hGet(sessions.session(second.sessionId), SESSION_FIELDS.version)).toBe('3');
      expect(await identityOffset()).toBe('5');
      // Let a retry's re-read pass: still one by-user record per event.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await byUserRecords()).toBe(5);
      const text = await metrics();
      expect(text).toContain(`sessionflow_pipeline_partition_stopped{stage="sessions",topic="${topics.events}",partition="${partition}"} 0`);
      expect(text).toMatch(new RegExp(`sessionflow_pipeline_records_total\\{stage="identity",topic="${topics.events}",outcome="replayed"\\} [1-9]`));
    } finally {
      await child.stop(10_000);
    }
  });
});
