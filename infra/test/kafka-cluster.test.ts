import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startKafkaCluster, type KafkaCluster } from '../src/kafka/cluster.js';

// One cluster for the file: three JVMs take a while to start on two cores.
let dir: string;
let cluster: KafkaCluster;
let client: Kafka;
let admin: Admin;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sf-kafka-cluster-'));
  cluster = await startKafkaCluster({ dir });
  client = new Kafka({ clientId: 'infra-cluster-test', brokers: cluster.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 2000, requestTimeout: 10_000 });
  admin = client.admin();
  await admin.connect();
}, 180_000);

afterAll(async () => {
  await admin?.disconnect().catch(() => undefined);
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** One acks=all produce, no retries: its outcome is the broker's answer, or what went wrong. */
async function produceOnce(topic: string, value: string): Promise<'ok' | string> {
  const producer = client.producer({ retry: { retries: 0 }, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, timeout: 5000, messages: [{ value }] });
    return 'ok';
  } catch (error) {
    const cause = (error as { cause?: { type?: string; name?: string } }).cause;
    return cause?.type ?? cause?.name ?? (error as Error).name;
  } finally {
    await producer.disconnect();
  }
}

/** The partition's leader and in-sync replicas as the cluster reports them. */
async function partitionState(topic: string): Promise<{ leader: number; isr: number[]; replicas: number[] }> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const partition = metadata.topics[0]!.partitions[0]!;
  return { leader: partition.leader, isr: [...partition.isr].sort(), replicas: [...partition.replicas].sort() };
}

/** True once every running node's own metadata knows the topic with `isr` replicas in sync (metadata reaches each node a moment apart). */
async function everyNodeSees(topic: string, isr: number): Promise<boolean> {
  for (const node of cluster.nodes.filter((n) => n.running())) {
    const one = new Kafka({ clientId: 'infra-cluster-test', brokers: [node.address], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await one.connect();
    try {
      const metadata = await one.fetchTopicMetadata({ topics: [topic] });
      if (metadata.topics[0]?.partitions[0]?.isr.length !== isr) return false;
    } finally {
      await one.disconnect();
    }
  }
  return true;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('three KRaft nodes replicate every topic on all of them, and take writes while two replicas are in sync', async () => {
  expect(cluster.brokers).toHaveLength(3);
  expect(new Set(cluster.brokers).size).toBe(3);
  expect(cluster.nodes.map((n) => n.id)).toEqual([1, 2, 3]);
  for (const broker of cluster.brokers) expect(broker).toMatch(/^127\.0\.0\.1:\d+$/);
  // A broker that has just registered reaches the others' metadata a moment later (CI once saw [2, 3] here).
  const nodeIds = async () => (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort();
  await until('every node in the cluster metadata', async () => (await nodeIds()).length === 3);
  expect(await nodeIds()).toEqual([1, 2, 3]);

  // Created with no replication factor: the cluster's default puts it on every node.
  const topic = 'orders';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: false });
  await until('all three replicas in sync', () => everyNodeSees(topic, 3));
  expect((await partitionState(topic)).replicas).toEqual([1, 2, 3]);
  expect(await produceOnce(topic, 'all up')).toBe('ok');

  // A topic that wants all three in sync shows the broker's NOT_ENOUGH_REPLICAS once one is gone.
  const strict = 'orders-strict';
  await admin.createTopics({ topics: [{ topic: strict, numPartitions: 1, configEntries: [{ name: 'min.insync.replicas', value: '3' }] }], waitForLeaders: false });
  await until('all three replicas of the strict topic in sync', () => everyNodeSees(strict, 3));

  // Kill a follower of `orders` first, then (below) the other one, so the leader stays up and answers.
  const { leader } = await partitionState(topic);
  const [first, second] = cluster.nodes.filter((n) => n.id !== leader);
  await first!.kill();
  expect(first!.running()).toBe(false);
  await until('the killed node fenced and out of the in-sync replicas', () => everyNodeSees(topic, 2));
  expect((await partitionState(topic)).isr).toHaveLength(2);
  expect(await produceOnce(topic, 'one down')).toBe('ok');
  await until('the strict topic down to two in sync', () => everyNodeSees(strict, 2));
  expect(await produceOnce(strict, 'one down, three wanted')).toBe('NOT_ENOUGH_REPLICAS');

  // A second node down: one replica of the two required is left, and the write is refused. Two of three
  // voters gone is also the controller quorum gone, so nothing can shrink the in-sync set to the one node
  // left: the leader keeps waiting for the dead follower, and the broker answers REQUEST_TIMED_OUT (not
  // NOT_ENOUGH_REPLICAS, which needs a controller to record the smaller set, as with one node down above).
  await second!.kill();
  expect(await produceOnce(topic, 'two down')).toBe('REQUEST_TIMED_OUT');

  // Both back: writes are taken again, and what was acknowledged before is all there.
  await Promise.all([first!.restart(), second!.restart()]);
  expect(first!.running() && second!.running()).toBe(true);
  await until('a write accepted again', async () => (await produceOnce(topic, 'all back')) === 'ok');
  await until('all three replicas in sync again', async () => (await partitionState(topic)).isr.length === 3);
  // Each partition rejoins its in-sync set on its own: the strict topic's may come later than the other's.
  await until('all three replicas of the strict topic in sync again', async () => (await partitionState(strict)).isr.length === 3);
  expect(await produceOnce(strict, 'all back, three wanted')).toBe('ok');

  const values = await readAll(topic);
  for (const acknowledged of ['all up', 'one down', 'all back']) expect(values).toContain(acknowledged);
}, 240_000);

/** Every value of the topic's one partition, read from the start to its end. */
async function readAll(topic: string): Promise<string[]> {
  const [offsets] = await admin.fetchTopicOffsets(topic);
  const end = Number(offsets!.high);
  const consumer = client.consumer({ groupId: `read-${topic}-${Date.now()}` });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '');
        seen = Number(message.offset) + 1;
      },
    });
    await until('the topic read to its end', async () => seen >= end);
  } finally {
    await consumer.disconnect();
  }
  return values;
}
