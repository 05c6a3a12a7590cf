/**
 * Creates Sessionflow's topics (DESIGN.md, "Topics") when they are missing,
 * with their bounds (topic-bounds.ts), and puts those bounds on topics that
 * exist already, so a deployment created before the bounds, or with other
 * ones configured, is bounded from its next start. Partition counts of
 * existing topics are left as they are.
 *
 * Kafka's AlterConfigs (the version kafkajs speaks) replaces a topic's whole
 * set of topic-level overrides, so the overrides already there (an operator's
 * `min.insync.replicas`, say) are read first and sent back with ours. The
 * `TOPIC_*` variables are the truth for the settings Sessionflow owns: a value
 * set on the broker by hand for one of those is put back at the next start.
 */
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import type { Topics } from '@sessionflow/core';
import type { Logger } from '../log.js';
import { TOPIC_KINDS, topicConfigEntries, type TopicBounds } from './topic-bounds.js';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  bounds: TopicBounds;
}

// kafkajs is CommonJS, and Node's ESM loader does not find these two among its named exports (vitest's does).
const { ConfigResourceTypes, ConfigSource } = kafkajs;

/** How long start-up waits for the broker to show created topics and altered configs (they reach it through the metadata log). */
const ALTERED_VISIBLE_WITHIN_MS = 15_000;

/** Every topic of `topics` with the configs it is created with. */
export function topicConfigs(topics: Topics, settings: TopicSettings): ITopicConfig[] {
  return (Object.keys(topics) as (keyof Topics)[]).map((name) => ({
    topic: topics[name],
    numPartitions: settings.partitions,
    replicationFactor: settings.replicationFactor,
    configEntries: Object.entries(topicConfigEntries(TOPIC_KINDS[name], settings.bounds)).map(([entry, value]) => ({ name: entry, value })),
  }));
}

export async function ensureTopics(admin: Admin, topics: Topics, settings: TopicSettings, logger: Logger): Promise<void> {
  const wanted = topicConfigs(topics, settings);
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter(({ topic }) => !existing.has(topic));
  if (missing.length > 0) {
    try {
      await admin.createTopics({ waitForLeaders: true, topics: missing });
      logger.info('created topics', { topics: missing.map((t) => t.topic), partitions: settings.partitions, replicationFactor: settings.replicationFactor });
    } catch (error) {
      // The collector and the pipeline may start together and race to create the same topics; and kafkajs'
      // wait for leaders gives up when the broker's metadata does not know a topic it just created yet.
      if (!(await allListedSoon(admin, missing.map((t) => t.topic)))) throw error;
    }
  }
  // Every topic, not only the old ones: a topic another process created in a race, with other bounds, gets these.
  await alignTopicConfigs(admin, wanted, logger);
}

/** True once every one of `topics` is listed, within a few seconds. */
async function allListedSoon(admin: Admin, topics: readonly string[]): Promise<boolean> {
  const deadline = Date.now() + ALTERED_VISIBLE_WITHIN_MS;
  for (;;) {
    const listed = new Set(await admin.listTopics());
    if (topics.every((topic) => listed.has(topic))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What a topic's overrides must become: those it has, with ours over them; null when ours are there already. */
export function alignedEntries(current: ReadonlyMap<string, string>, wanted: readonly { name: string; value: string }[]): Map<string, string> | null {
  if (wanted.every(({ name, value }) => current.get(name) === value)) return null;
  const next = new Map(current);
  for (const { name, value } of wanted) next.set(name, value);
  return next;
}

/** The topic-level overrides of each topic, as the broker reports them now. */
async function overridesOf(admin: Admin, topics: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
  return new Map(
    described.resources.map((resource) => [
      resource.resourceName,
      new Map(resource.configEntries.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG).map((e) => [e.configName, e.configValue])),
    ]),
  );
}

/** Topics whose overrides lack some of ours, with what they must become. */
function changesFor(topics: readonly ITopicConfig[], overrides: ReadonlyMap<string, Map<string, string>>) {
  return topics.flatMap(({ topic, configEntries = [] }) => {
    const current = overrides.get(topic) ?? new Map<string, string>();
    const next = alignedEntries(current, configEntries);
    return next === null ? [] : [{ topic, current, next }];
  });
}

async function alignTopicConfigs(admin: Admin, topics: readonly ITopicConfig[], logger: Logger): Promise<void> {
  if (topics.length === 0) return;
  const changes = changesFor(topics, await overridesOf(admin, topics.map((t) => t.topic)));
  if (changes.length === 0) return;
  await admin.alterConfigs({
    validateOnly: false,
    resources: changes.map(({ topic, next }) => ({ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [...next].map(([name, value]) => ({ name, value })) })),
  });
  for (const { topic, current, next } of changes) {
    const changed = Object.fromEntries([...next].filter(([name, value]) => current.get(name) !== value).map(([name, value]) => [name, `${current.get(name) ?? '(default)'} → ${value}`]));
    logger.info('bounded an existing topic', { topic, changed });
  }
  // The controller accepted them; the broker applies them from the metadata log a moment later. Start once they show.
  const altered = topics.filter(({ topic }) => changes.some((c) => c.topic === topic));
  const deadline = Date.now() + ALTERED_VISIBLE_WITHIN_MS;
  while (changesFor(altered, await overridesOf(admin, altered.map((t) => t.topic))).length > 0) {
    if (Date.now() > deadline) {
      logger.warn('the broker does not show the altered topic configs yet; they were accepted and should apply shortly', { topics: altered.map((t) => t.topic) });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
