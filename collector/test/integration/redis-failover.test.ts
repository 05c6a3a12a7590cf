/**
 * A Redis Cluster master lost under load (issue 12): the pipeline goes on by
 * itself, and what it stores in the end equals a run with no failover.
 *
 * One Kafka broker of this file's own; a local Redis Cluster (3 masters, a
 * replica each, infra's startRedisCluster) for the disturbed runs; and the
 * reference on the file's single redis-server: the same stream applied by a
 * pipeline that nothing disturbs, on the embedded default deployment. A
 * reference on the cluster could share a shard with the master the test
 * kills; on its own redis-server it is untouched by any failover, and the
 * comparison also shows the cluster run equal to the single node's.
 *
 * Each run has its own topic prefix and the same 10,000 events of a shop
 * (shop-workload.ts), and is compared on every stage's state (run-state.ts):
 * the identity links and prefixes, each session's fold, every profile, the
 * experiment's counts, units and readout, the funnel, popularity, the
 * catalog, and the events topic's stored offsets.
 *
 * 1. Under steady load (the stream produced over about 25 s), the master
 *    serving most of the run's partition hash tags is SIGKILLed while the
 *    pipeline (a process of its own, REDIS_URL = the cluster) applies;
 *    its replica is promoted, the load goes on, the pipeline is not touched.
 * 2. The roll-back made certain: a master's replica is cut off its writes
 *    (cluster-shards.ts: PSYNC refused, its link killed) while the pipeline
 *    applies a part of the stream, and the stock of some products (the
 *    compacted inventory topic), on the master alone; the master is killed;
 *    the replica, provably behind (its stored offsets are lower than the
 *    master's were, and one inventory partition's offset it never had), is
 *    promoted. Its state and offsets went back together. With no record
 *    produced, every stage finds its partitions' stored offsets below the ones
 *    it stored last and replays from Kafka what the replica lacked, back to the
 *    topics' ends at the kill; then the rest of the stream is produced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedisCluster, type Child, type RedisCluster, type RedisNode } from '@sessionflow/infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionTag } from '../../src/store/owner.js';
import type { StoreClient } from '../../src/store/client.js';
import type { OutboundRecord } from '../../src/ingest/sink.js';
import { cutReplication, masterLink, mastersOfTags, replicaOf, valuesOn } from './cluster-shards.js';
import { differences, drained, endOffsets, offsetKey, runOf, runState, stageTopics, storedOffsets, sum, type Run, type RunState, type Stage } from './run-state.js';
import { eventRecords, shopCatalog, shopWorkload } from './shop-workload.js';
import { connectRedis, eventually, printedProbes, startInfra, startPipelineChild, type Infra } from './support.js';

const PARTITIONS = 6;
const STREAM_LENGTH = 10_000;
/** The steady load: this many records every STEADY_EVERY_MS, about 25 s for the stream. */
const STEADY_CHUNK = 100;
const STEADY_EVERY_MS = 250;

let infra: Infra;
let clusterDir: string;
let cluster: RedisCluster;
let clusterStore: StoreClient;
const children: Child[] = [];

beforeAll(async () => {
  clusterDir = mkdtempSync(path.join(tmpdir(), 'sf-redis-failover-'));
  const [kafkaAndSingle, redisCluster] = await Promise.allSettled([startInfra(), startRedisCluster({ dir: clusterDir })]);
  if (kafkaAndSingle.status === 'fulfilled') infra = kafkaAndSingle.value;
  if (redisCluster.status === 'fulfilled') cluster = redisCluster.value;
  if (kafkaAndSingle.status === 'rejected') throw kafkaAndSingle.reason;
  if (redisCluster.status === 'rejected') throw redisCluster.reason;
  clusterStore = await connectRedis(cluster.url);
});

afterAll(async () => {
  await Promise.allSettled(children.map((child) => child.stop(5_000)));
  clusterStore?.destroy();
  await cluster?.stop();
  await infra?.stop();
  rmSync(clusterDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- a run's pipeline

interface Pipeline {
  child: Child;
  probes: string;
}

/** The built pipeline as a process of its own on `redisUrl`, once its probe says every stage joined its group and Redis answers. */
async function startRunPipeline(run: Run, redisUrl: string): Promise<Pipeline> {
  const child = startPipelineChild(infra, {
    name: `${run.prefix}-pipeline`,
    prefix: run.prefix,
    logName: `${run.prefix}-pipeline.log`,
    env: { REDIS_URL: redisUrl, TOPIC_PARTITIONS: String(PARTITIONS), PIPELINE_GROUP: run.group },
  });
  children.push(child);
  const probes = await printedProbes(child, `the ${run.prefix} pipeline`);
  const pipeline = { child, probes };
  await eventually(`the ${run.prefix} pipeline to be ready`, () => ready(pipeline), 60_000);
  return pipeline;
}

const ready = async (pipeline: Pipeline) => (await fetch(`${pipeline.probes}/readyz`).catch(() => undefined))?.status === 200;

/** `sessionflow_pipeline_batch_failures_total` from the pipeline's /metrics, by `<stage> <topic> <kind>`. */
async function batchFailures(pipeline: Pipeline): Promise<Record<string, number>> {
  const text = await (await fetch(`${pipeline.probes}/metrics`)).text();
  const failures: Record<string, number> = {};
  for (const [, labels = '', value] of text.matchAll(/^sessionflow_pipeline_batch_failures_total\{([^}]*)\} (\S+)$/gm)) {
    const name = `${/stage="([^"]*)"/.exec(labels)?.[1]} ${/topic="([^"]*)"/.exec(labels)?.[1]} ${/kind="([^"]*)"/.exec(labels)?.[1]}`;
    failures[name] = (failures[name] ?? 0) + Number(value);
  }
  return failures;
}

const ofKind = (failures: Record<string, number>, kind: string) => sum(Object.entries(failures).filter(([name]) => name.endsWith(` ${kind}`)).map(([, n]) => n));

/** Creates the run's topics and sends the shop's catalog, but for the records `later` picks: those it returns, for the test to send. */
async function createTopicsAndCatalog(run: Run, later: (record: OutboundRecord) => boolean = () => false): Promise<OutboundRecord[]> {
  await infra.createTopics(run.topics, PARTITIONS);
  const catalog = shopCatalog(run.topics);
  for (const topic of [run.topics.products, run.topics.inventory]) {
    await infra.producer.send({ topic, acks: -1, messages: catalog.filter((r) => r.topic === topic && !later(r)) });
  }
  return catalog.filter(later);
}

async function produce(topic: string, records: readonly { key: string; value: string }[]): Promise<void> {
  for (let i = 0; i < records.length; i += 1_000) await infra.producer.send({ topic, acks: -1, messages: records.slice(i, i + 1_000) });
}

/** A stage's partition whose state lives on some node: its offset key and where Kafka's end of it is. */
interface StagePartition {
  stage: Stage;
  topic: string;
  partition: number;
  key: string;
}

/** The run's stage partitions whose hash tag `master` serves. */
async function stagePartitionsOn(run: Run, pick: (owners: Map<string, RedisNode>) => RedisNode): Promise<{ master: RedisNode; on: StagePartition[] }> {
  const all = stageTopics(run).flatMap(({ stage, topic }) =>
    Array.from({ length: PARTITIONS }, (_, partition): StagePartition => ({ stage, topic, partition, key: offsetKey(run, stage, topic, partition) })),
  );
  const owners = await mastersOfTags(cluster, [...new Set(all.map((sp) => partitionTag(sp.topic, sp.partition)))]);
  const master = pick(owners);
  return { master, on: all.filter((sp) => owners.get(partitionTag(sp.topic, sp.partition)) === master) };
}

/** The master serving most of the tags `owners` maps, among `candidates`. */
function busiest(owners: Map<string, RedisNode>, candidates?: readonly RedisNode[]): RedisNode {
  const counts = new Map<RedisNode, number>();
  for (const node of owners.values()) if (candidates === undefined || candidates.includes(node)) counts.set(node, (counts.get(node) ?? 0) + 1);
  const [best] = [...counts].sort(([, a], [, b]) => b - a);
  if (best === undefined) throw new Error('none of the candidate masters serves a tag of the run');
  return best[0];
}

// ---------------------------------------------------------------- the runs

describe('a Redis Cluster master lost while the pipeline applies', () => {
  const work = shopWorkload((Math.floor(Date.now() / 60_000) - 20) * 60_000, { length: STREAM_LENGTH, partitions: PARTITIONS });
  const records = eventRecords(work.deliveries);
  let reference: RunState | undefined;
  // One "now" for every run's read: the profiles' decayed affinities and the readout's time depend on it.
  let readAt = 0;

  it('the reference: the stream applied on one redis-server, with no failover', async () => {
    const run = runOf('reference', PARTITIONS, infra.client);
    await createTopicsAndCatalog(run);
    const pipeline = await startRunPipeline(run, infra.redis.url);
    await produce(run.topics.events, records);
    await eventually('the reference to apply the stream', () => drained(run, infra.admin), 120_000);
    readAt = Date.now();
    reference = await runState(run, work, readAt);
    // The reference holds what the stream implies, not nothing: every device and user has a profile, every device a session.
    expect(Object.entries(reference.profiles).filter(([, p]) => p === null).map(([ref]) => ref)).toEqual([]);
    expect(Object.values(reference.sessions).filter(([state]) => state === null)).toEqual([]);
    expect(Object.values(reference.identity).filter((d) => d.link !== null).length).toBeGreaterThan(0);
    expect(sum(Object.values(reference.experimentCounts))).toBeGreaterThan(0);
    expect(await batchFailures(pipeline)).toEqual({});
    await pipeline.child.stop(10_000);
  }, 180_000);

  it('under steady load, the master serving most of the run is SIGKILLed; its replica is promoted; the pipeline goes on and ends equal to the reference', async () => {
    expect(reference).toBeDefined();
    const run = runOf('failover', PARTITIONS, clusterStore);
    await createTopicsAndCatalog(run);
    const { master: victim, on: onVictim } = await stagePartitionsOn(run, (owners) => busiest(owners));
    const heir = await replicaOf(cluster, victim);
    expect(heir, 'the victim has a replica').toBeDefined();
    const pipeline = await startRunPipeline(run, cluster.url);

    let produced = 0;
    const streaming = (async () => {
      for (let i = 0; i < records.length; i += STEADY_CHUNK) {
        await infra.producer.send({ topic: run.topics.events, acks: -1, messages: records.slice(i, i + STEADY_CHUNK) });
        produced = Math.min(i + STEADY_CHUNK, records.length);
        await new Promise((resolve) => setTimeout(resolve, STEADY_EVERY_MS));
      }
    })();

    // The kill falls about 40 % into the stream (checked below: the victim's partitions had applied some, not all).
    const eventStages = onVictim.filter((sp) => sp.topic === run.topics.events || sp.topic === run.topics.eventsByUser);
    expect(eventStages.length, 'stage partitions of the event topics on the victim').toBeGreaterThan(0);
    await eventually('40 % of the stream produced', async () => produced >= records.length * 0.4, 60_000);
    const beforeKill = (await valuesOn(victim, eventStages.map((sp) => sp.key))).map((v) => Number(v ?? 0));
    const producedAtKill = produced;
    const failuresBefore = await batchFailures(pipeline);
    await victim.kill();
    const killedAt = Date.now();
    await cluster.waitHealthy(60_000);
    const promotedAfterMs = Date.now() - killedAt;
    expect(await heir!.role()).toBe('master');
    const promoted = (await valuesOn(heir!, eventStages.map((sp) => sp.key))).map((v) => Number(v ?? 0));

    await streaming;
    await eventually('the pipeline to apply the rest of the stream', () => drained(run, infra.admin), 150_000);
    expect(pipeline.child.isRunning(), 'the pipeline was never restarted: it is the same process').toBe(true);

    // The kill fell in the middle: the victim's partitions had applied some of the stream, and there was more to come.
    expect(sum(beforeKill)).toBeGreaterThan(0);
    expect(producedAtKill).toBeLessThan(records.length);
    const ends = await Promise.all(eventStages.map(async (sp) => (await endOffsets(infra.admin, sp.topic, PARTITIONS))[sp.partition]!));
    expect(sum(beforeKill)).toBeLessThan(sum(ends));
    // And the pipeline felt it: batches failed after the kill (Redis unreachable, or the store behind the log) and were applied later.
    const failuresAfter = await batchFailures(pipeline);
    const felt = ofKind(failuresAfter, 'error') + ofKind(failuresAfter, 'store_behind') - ofKind(failuresBefore, 'error') - ofKind(failuresBefore, 'store_behind');
    expect(felt).toBeGreaterThan(0);

    const state = await runState(run, work, readAt);
    expect(differences(state, reference!)).toEqual({});

    const rolledBack = eventStages.filter((_, i) => promoted[i]! < beforeKill[i]!).length;
    console.log(
      `failover under load: killed master :${victim.port} (${onVictim.length} of ${stageTopics(run).length * PARTITIONS} stage partitions) at ${producedAtKill} of ${records.length} records produced; ` +
        `replica :${heir!.port} promoted and the cluster healthy ${promotedAfterMs} ms later; batch failures ${JSON.stringify(failuresAfter)}; ` +
        `store_behind ${ofKind(failuresAfter, 'store_behind') > 0 ? 'fired' : 'did not fire'}; ` +
        `offsets on the promoted replica lower than read on the master just before the kill: ${rolledBack} of ${eventStages.length}`,
    );
    await pipeline.child.stop(10_000);
  }, 240_000);

  it('a replica provably behind its master is promoted: state and offsets went back together, the pipeline replays what the replica lacked with no new record, and ends equal to the reference', async () => {
    expect(reference).toBeDefined();
    const run = runOf('rollback', PARTITIONS, clusterStore);
    // A master that still has its replica (the first case left one shard without).
    const running = cluster.nodes.filter((n) => n.running());
    const withReplica: RedisNode[] = [];
    for (const node of running) if ((await node.role()) === 'master' && (await replicaOf(cluster, node)) !== undefined) withReplica.push(node);
    const { master, on } = await stagePartitionsOn(run, (owners) => busiest(owners, withReplica));
    const replica = (await replicaOf(cluster, master))!;
    const eventStages = on.filter((sp) => sp.topic === run.topics.events || sp.topic === run.topics.eventsByUser);
    expect(eventStages.length, 'stage partitions of the event topics on the master').toBeGreaterThan(0);
    // The catalog's writes lost too, on the compacted inventory topic (what a batch of events applies never reads the stock,
    // so its order against the events leaves the reference as it is): of the master's inventory partitions, the first gets
    // its whole stock only while the replica is cut off (its offset never reaches the replica: a first offset lost), the
    // others the second half of theirs (the replica keeps a lower offset, and nothing but the log says records are missing).
    const inventoryStages = on.filter((sp) => sp.topic === run.topics.inventory).sort((a, b) => a.partition - b.partition);
    expect(inventoryStages.length, 'inventory partitions on the master').toBeGreaterThan(1);
    const lateStock = new Set<string>();
    inventoryStages.forEach(({ partition }, i) => {
      const owned = shopCatalog(run.topics).filter((r) => r.topic === run.topics.inventory && run.layout.owners.inventory.of(r.key) === partition).map((r) => r.key);
      for (const id of i === 0 ? owned : owned.slice(Math.ceil(owned.length / 2))) lateStock.add(id);
    });
    const lateInventory = await createTopicsAndCatalog(run, (r) => r.topic === run.topics.inventory && lateStock.has(r.key));
    const stages = [...eventStages, ...inventoryStages];
    const keys = stages.map((sp) => sp.key);
    const pipeline = await startRunPipeline(run, cluster.url);

    const [first, second, third] = [records.slice(0, 4_000), records.slice(4_000, 6_000), records.slice(6_000)];
    await produce(run.topics.events, first);
    await eventually('the first part applied', () => drained(run, infra.admin), 120_000);
    // The replica has every offset the master has (every event partition's: one of each is stored by now).
    await eventually('the replica to hold the master\'s offsets', async () => {
      const [onMaster, onReplica] = await Promise.all([valuesOn(master, keys), valuesOn(replica, keys)]);
      return onMaster.slice(0, eventStages.length).every((v) => v !== null) && JSON.stringify(onReplica) === JSON.stringify(onMaster);
    }, 30_000);

    await cutReplication(master);
    await eventually('the replica to lose its link to the master', async () => (await masterLink(replica)) === 'down', 10_000);
    await produce(run.topics.inventory, lateInventory);
    await produce(run.topics.events, second);
    await eventually('the second part and the late stock applied, on the master alone', () => drained(run, infra.admin), 60_000);
    const [onMaster, onReplica] = await Promise.all([valuesOn(master, keys), valuesOn(replica, keys)]);
    const of = (values: readonly (string | null)[], sp: StagePartition) => values[stages.indexOf(sp)] ?? null;
    const lower = (sp: StagePartition) => {
      const [m, r] = [of(onMaster, sp), of(onReplica, sp)];
      return m !== null && r !== null && Number(r) < Number(m);
    };
    const behind = eventStages.filter(lower);
    expect(behind.length, 'stage partitions of the event topics whose offset the replica holds lower than the master').toBeGreaterThan(0);
    const stockBehind = inventoryStages.filter(lower);
    expect(stockBehind.length, 'inventory partitions whose offset the replica holds lower than the master').toBeGreaterThan(0);
    const stockFirstLost = inventoryStages.filter((sp) => of(onReplica, sp) === null && of(onMaster, sp) !== null);
    expect(stockFirstLost.length, 'inventory partitions whose offset only the master holds').toBeGreaterThan(0);

    // What Kafka holds as the master dies: every record produced so far, which the stages had all applied.
    const endsAtKill = await Promise.all(stageTopics(run).map(({ topic }) => endOffsets(infra.admin, topic, PARTITIONS)));
    const failuresBefore = await batchFailures(pipeline);
    await master.kill();
    await cluster.waitHealthy(60_000);
    const healthyAt = Date.now();
    expect(await replica.role()).toBe('master');
    // Promoted with what it had: its offsets are the ones it held, lower than the master's or none, and the state went with them.
    expect(await valuesOn(replica, keys)).toEqual(onReplica);
    // The pipeline's client found the new master (its readiness pings every master it knows).
    await eventually('the pipeline to be ready on the promoted replica', () => ready(pipeline), 60_000);

    // No record is produced until every stage is back at those ends: the partitions the replica is behind on are quiet,
    // and only a stage that compares the stored offsets with the ones it stored last can find what the replica lost.
    const stillBehind = async () => {
      const found: string[] = [];
      for (const [i, { stage, topic }] of stageTopics(run).entries()) {
        (await storedOffsets(run, stage, topic)).forEach((stored, partition) => {
          if (stored < endsAtKill[i]![partition]!) found.push(`${stage} ${topic}:${partition} at ${stored} of ${endsAtKill[i]![partition]}`);
        });
      }
      return found;
    };
    await eventually('every stage to replay what the promoted replica lacked, with no new record', async () => (await stillBehind()).length === 0, 60_000).catch(async (error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; still behind: ${(await stillBehind().catch(() => ['unreadable'])).join(', ')}`);
    });
    const quietReplayMs = Date.now() - healthyAt;
    // Nothing was produced meanwhile: the events and catalog topics end where they did (the by-user topic may have grown: a replayed identity batch sends its records again).
    for (const [i, { topic }] of stageTopics(run).entries()) {
      if (topic !== run.topics.eventsByUser) expect(await endOffsets(infra.admin, topic, PARTITIONS), topic).toEqual(endsAtKill[i]);
    }
    // And it went through the roll-back path: each stage and topic the replica was behind on saw its store behind.
    const failuresQuiet = await batchFailures(pipeline);
    const storeBehind = (failures: Record<string, number>, sp: StagePartition) => failures[`${sp.stage} ${sp.topic} store_behind`] ?? 0;
    const rolledBack = [...new Map([...behind, ...stockBehind, ...stockFirstLost].map((sp) => [`${sp.stage} ${sp.topic}`, sp])).values()];
    for (const sp of rolledBack) expect(storeBehind(failuresQuiet, sp), `store_behind of ${sp.stage} ${sp.topic}`).toBeGreaterThan(storeBehind(failuresBefore, sp));

    // The load goes on.
    await produce(run.topics.events, third);
    await eventually('the pipeline to apply the rest', () => drained(run, infra.admin), 150_000);
    expect(pipeline.child.isRunning()).toBe(true);

    // Soft: a failing run shows both what differs and whether the roll-back path was taken.
    const state = await runState(run, work, readAt);
    expect.soft(differences(state, reference!)).toEqual({});
    const failuresAfter = await batchFailures(pipeline);
    console.log(
      `roll-back: master :${master.port} killed with its replica :${replica.port} cut off; ${behind.length} of ${eventStages.length} event stage partitions behind on the replica ` +
        `(${sum(behind.map((sp) => Number(of(onMaster, sp)) - Number(of(onReplica, sp))))} records to replay), ` +
        `inventory partitions behind ${stockBehind.length} and with no offset ${stockFirstLost.length} of ${inventoryStages.length}; ` +
        `every stage back at the ends with no new record ${quietReplayMs} ms after the cluster was healthy; batch failures ${JSON.stringify(failuresAfter)}`,
    );
    await pipeline.child.stop(10_000);
  }, 240_000);
});
