/**
 * Erasure everywhere, on real parts (Chromium, workerd, collector, Kafka,
 * Redis, pipeline): a user signs in on two devices through the storefront
 * (with a token signed for a user id of this run) and browses, beside an
 * anonymous bystander. `DELETE /v1/users/:userId` with the admin secret then
 * leaves no trace of the user, its devices or its sessions:
 *
 * - the visitor objects of both devices at the edge hold nothing (the edge's
 *   admin inspection);
 * - a SCAN of Redis finds them in no key and no value;
 * - a replay of the pipeline from the earliest offsets into an empty Redis
 *   rebuilds the bystander and not the user;
 * - no log file of the run names them (collector, pipeline and its replay,
 *   edge and wrangler's own, demo-site, Kafka, Redis).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { createClient } from 'redis';
import { deviceRef, userRef } from '@sessionflow/core';
import { createLogger, createStoreClient, erasureMark, personTraces, readStateLayout } from '@sessionflow/collector';
import { Kafka, logLevel } from 'kafkajs';
import { anonymousIdIn, localExperiment } from './support/experiments.js';
import { signIdentityToken } from './support/identity-token.js';
import { useLoopStack } from './support/loop-stack.js';
import { startReplay, type Replay } from './support/replay.js';
import { openDevice, profileOf, viewProduct, visitorObject, type Device } from './support/storefront.js';
import { settled } from './support/settled.js';

const env = useLoopStack(['pipeline']);

/** Signs the page in as `userId` with a token signed as the site's server would, and waits for the edge to verify it. */
async function signInAs(device: Device, userId: string): Promise<void> {
  const { stack } = env;
  const token = await signIdentityToken({ userId, siteKey: stack.siteKey, secret: stack.secrets.siteIdentity });
  await device.page.evaluate(
    async ({ userId, token }) => {
      window.sessionflow?.identify(userId, {}, { token });
      await window.sessionflow?.flush();
    },
    { userId, token },
  );
  await expect.poll(() => device.answers.map((answer) => answer.identity), { timeout: 10_000 }).toContainEqual({ verified: true, userId });
}

/** What the Redis at `url` holds of the person (any key or value naming one of `needles`). */
async function tracesIn(url: string, needles: readonly string[]) {
  const redis = createStoreClient(url, createLogger('error', () => undefined));
  await redis.connect();
  try {
    return await personTraces(redis, env.stack.topicPrefix, needles);
  } finally {
    await redis.close();
  }
}

/** Every log file of the run: the parts' own (collector, pipeline, edge, demo-site, Kafka, Redis) and everything in the log folder (wrangler's, the replay's). */
function logFiles(): string[] {
  const { stack } = env;
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? walk(path.join(dir, name)) : [path.join(dir, name)]));
  return [...new Set([...Object.values(stack.logs), ...walk(path.join(stack.dir, 'logs'))])];
}

test('an erased user leaves no trace in the visitor objects, Redis, a replay of the pipeline or the logs', async () => {
  const { stack, browser } = env;
  const experiment = localExperiment('recs-strategy');
  const user = `erasure-user-${randomUUID()}`;
  const phone = await openDevice(browser, stack, anonymousIdIn(experiment, 'similar'));
  const laptop = await openDevice(browser, stack, anonymousIdIn(experiment, 'popular'));
  const bystander = await openDevice(browser, stack, anonymousIdIn(experiment, 'similar'));
  const devices = [phone, laptop];

  await signInAs(phone, user);
  await viewProduct(phone.page, 'sku-1003');
  await viewProduct(phone.page, 'sku-1007');
  await signInAs(laptop, user);
  await viewProduct(laptop.page, 'sku-1005');
  await viewProduct(bystander.page, 'sku-1002');
  await viewProduct(bystander.page, 'sku-1004');

  await expect.poll(async () => (await profileOf(stack, 'user', user))?.recentlyViewed.sort() ?? [], { timeout: 30_000, interval: 250 }).toEqual(['sku-1003', 'sku-1005', 'sku-1007']);
  expect((await profileOf(stack, 'user', user))?.anonymousIds.sort()).toEqual(devices.map((d) => d.anonymousId).sort());
  await expect.poll(async () => (await profileOf(stack, 'device', bystander.anonymousId))?.recentlyViewed ?? [], { timeout: 30_000, interval: 250 }).toEqual(['sku-1004', 'sku-1002']);
  const sessionIds = await Promise.all(devices.map((d) => d.page.evaluate(() => window.sessionflow?.sessionId() ?? '')));
  for (const device of devices) expect((await visitorObject(stack, device.anonymousId)).state?.verifiedUserId).toBe(user);
  const needles = [user, ...devices.map((d) => d.anonymousId), ...sessionIds];
  for (const id of needles) expect(id.length).toBeGreaterThan(8);
  // What must be gone is there first.
  const before = await tracesIn(stack.redisUrl!, needles);
  for (const needle of needles) expect(before.map((t) => t.needle)).toContain(needle);

  // The devices leave (their pages send what they still hold as they close) before the erasure.
  for (const device of devices) await device.page.context().close();
  const mine = new Set(devices.map((d) => d.anonymousId));
  await settled(async () => env.events.records.filter((r) => r.key !== null && mine.has(r.key)).length);

  const response = await fetch(`${stack.collectorUrl}/v1/users/${encodeURIComponent(user)}`, { method: 'DELETE', headers: { authorization: `Bearer ${stack.secrets.admin}` } });
  expect(response.status).toBe(202);
  const erased = (await response.json()) as { anonymousIds: string[]; mark: string; edge: unknown };
  expect(erased.anonymousIds.sort()).toEqual([...mine].sort());
  expect(erased.mark).toBe(erasureMark(stack.secrets.erasure, userRef(user)));
  expect(erased.edge).toEqual({ reached: true, devices: 2, requests: 1, objectsErased: 2 });

  // The edge: both devices' objects hold nothing.
  for (const device of devices) {
    const object = await visitorObject(stack, device.anonymousId);
    expect(object.exists === false || object.state === null, JSON.stringify(object)).toBe(true);
    expect(object.outboxDepth).toBe(0);
  }
  // The read API and Redis: nothing names them; the markers do not either.
  expect(await profileOf(stack, 'user', user)).toBeUndefined();
  expect(await tracesIn(stack.redisUrl!, needles)).toEqual([]);

  // A replay from the earliest offsets into an empty Redis rebuilds the bystander, and not the user.
  let replay: Replay | undefined;
  try {
    replay = await startReplay(stack);
    const started = replay;
    await expect.poll(() => started.caughtUp(), { timeout: 90_000, interval: 500 }).toBe(true);
    // Each profile lives in the partition of the by-user topic that owns its ref, as Kafka has the topics.
    const admin = new Kafka({ clientId: 'sessionflow-e2e-erasure', brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const layout = await readStateLayout(admin, stack.topicPrefix).finally(() => admin.disconnect());
    const bystanderRef = deviceRef(bystander.anonymousId);
    const store = createClient({ url: replay.redisUrl });
    await store.connect();
    try {
      await expect.poll(() => store.lRange(layout.profile(bystanderRef).profileRecentlyViewed(bystanderRef), 0, -1), { timeout: 30_000, interval: 250 }).toEqual(['sku-1004', 'sku-1002']);
      expect(await store.exists(layout.profile(userRef(user)).profile(userRef(user)))).toBe(0);
    } finally {
      await store.close();
    }
    expect(await tracesIn(replay.redisUrl, needles)).toEqual([]);
  } finally {
    await replay?.stop();
  }

  // The logs of the run, the replay's included.
  const files = logFiles();
  expect(files.map((file) => path.basename(file))).toEqual(expect.arrayContaining(['collector.log', 'pipeline.log', 'pipeline-replay.log', 'edge.log', 'demo-site.log']));
  // The collector logged the erasure, by the user's mark.
  expect(readFileSync(stack.logs.collector!, 'utf8')).toMatch(new RegExp(`user erased .*${erased.mark}`));
  const naming = files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return needles.filter((needle) => text.includes(needle)).map((needle) => `${path.relative(stack.dir, file)}: ${needle === user ? 'the user id' : needle}`);
  });
  expect(naming).toEqual([]);
}, 300_000);
