/**
 * Kafka → Redis: with the pipeline running under a steady background load,
 * probe events are produced one by one, and each is timed from the producer
 * call until its effect is in Redis (the aggregates stage's counted-event
 * key, written in the same script call as the state).
 */
import { performance } from 'node:perf_hooks';
import type { Admin, Producer } from 'kafkajs';
import { deviceRef } from '@sessionflow/core';
import { stateLayout, type StoreClient } from '@sessionflow/collector';
import { progress } from '../progress.js';
import { topicPartitions } from './progress-offsets.js';
import { probeRecord, workload } from './workload.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LatencyOptions {
  backgroundPerS: number;
  latencySeconds: number;
  probeEveryMs: number;
}

/** Milliseconds from send to Redis of every probe, and the background events sent; throws when a probe never shows within 30 s. */
export async function kafkaToRedis(producer: Producer, store: Pick<StoreClient, 'mGet'>, admin: Admin, prefix: string, topic: string, o: LatencyOptions, label: string): Promise<{ latencyMs: number[]; background: number }> {
  const partitions = (await topicPartitions(admin, topic)).length;
  // The probe is anonymous: its seen key is in the by-user partition that owns its device's ref.
  const layout = stateLayout(prefix, { events: partitions, eventsByUser: partitions, products: partitions, inventory: partitions });
  const seenKey = (anonymousId: string, eventId: string) => layout.profile(deviceRef(anonymousId)).seenEvent(eventId);
  const background = workload(o.backgroundPerS * (o.latencySeconds + 2), 11);
  let sent = 0;
  const started = performance.now();
  const stopAt = started + o.latencySeconds * 1000;
  // The background load, in slices every 100 ms.
  const load = (async () => {
    while (performance.now() < stopAt) {
      const due = Math.min(background.length, Math.floor(((performance.now() - started) / 1000) * o.backgroundPerS));
      if (due > sent) {
        await producer.send({ topic, acks: -1, messages: background.slice(sent, due) });
        sent = due;
      }
      await sleep(100);
    }
  })();
  const watch = arrivals(store);
  const probes: Promise<number | undefined>[] = [];
  const bar = progress();
  try {
    while (performance.now() < stopAt) {
      probes.push(probeOnce(producer, watch, topic, seenKey));
      bar.update(`  ${label}: ${probes.length} probes, ${sent.toLocaleString('en')} background events`);
      await sleep(o.probeEveryMs);
    }
    bar.done();
    await load;
    const results = await Promise.all(probes);
    const lost = results.filter((r) => r === undefined).length;
    if (lost > 0) throw new Error(`${lost} probe events never showed in Redis within 30 s`);
    return { latencyMs: results as number[], background: sent };
  } finally {
    watch.stop();
  }
}

async function probeOnce(producer: Producer, watch: Arrivals, topic: string, seenKey: (anonymousId: string, eventId: string) => string): Promise<number | undefined> {
  const probe = probeRecord();
  const start = performance.now();
  await producer.send({ topic, acks: -1, messages: [{ key: probe.key, value: probe.value }] });
  const arrived = await watch.until(seenKey(probe.key, probe.eventId), start + 30_000);
  return arrived === undefined ? undefined : arrived - start;
}

export interface Arrivals {
  /** Resolves with the time the key was first seen, or undefined at `deadline` (both performance.now()). */
  until(key: string, deadline: number): Promise<number | undefined>;
  stop(): void;
}

/**
 * Every key awaited, read with one MGET a millisecond, whatever their number: a GET per probe each millisecond
 * grew with the probes in flight, and once the pipeline fell behind the bench took a sixth of the machine from it.
 */
export function arrivals(store: Pick<StoreClient, 'mGet'>): Arrivals {
  const waiting = new Map<string, { deadline: number; resolve: (at: number | undefined) => void; reject: (error: unknown) => void }>();
  let running = true;
  void (async () => {
    while (running) {
      if (waiting.size > 0) {
        const keys = [...waiting.keys()];
        let values: (string | null)[];
        try {
          values = await store.mGet(keys);
        } catch (error) {
          // Each probe fails with the read's error, as a probe's own read failed before.
          for (const w of waiting.values()) w.reject(error);
          waiting.clear();
          continue;
        }
        const now = performance.now();
        keys.forEach((key, i) => {
          const w = waiting.get(key)!;
          if (values[i] !== null) w.resolve(now);
          else if (now > w.deadline) w.resolve(undefined);
          else return;
          waiting.delete(key);
        });
      }
      await sleep(1);
    }
    for (const w of waiting.values()) w.resolve(undefined);
    waiting.clear();
  })();
  return {
    until: (key, deadline) => new Promise((resolve, reject) => waiting.set(key, { deadline, resolve, reject })),
    stop: () => {
      running = false;
    },
  };
}
