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
 *
 * Replication is the operator's once a topic exists: `KAFKA_REPLICATION_FACTOR`
 * and `KAFKA_MIN_INSYNC_REPLICAS` shape the topics created here, and an existing
 * topic replicated otherwise is named in a warning, never changed (moving
 * replicas is a reassignment an operator plans, not a side effect of a start).
 */
import kafkajs, { type Admin, type DescribeConfigResponse, type ITopicConfig, type ResourceConfigQuery } from 'kafkajs';
import type { Topics } from '@sessionflow/core';
import type { Logger } from '../log.js';
import { TOPIC_KINDS, topicConfigEntries, type TopicBounds } from './topic-bounds.js';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
  /** `min.insync.replicas` of the topics created; absent, they take the broker's. */
  minInsyncReplicas?: number;
  bounds: TopicBounds;
}

const MIN_ISR = 'min.insync.replicas';

// kafkajs is CommonJS, and Node's ESM loader does not find these two among its named exports (vitest's does).
const { ConfigResourceTypes, ConfigSource } = kafkajs;

/** How long start-up waits for the broker to show created topics and altered configs (they reach it through the metadata log). */
const ALTERED_VISIBLE_WITHIN_MS = 15_000;

/** Every topic of `topics` with the configs it is created with: its bounds, and the min ISR when one is set. */
export function topicConfigs(topics: Topics, settings: TopicSettings): ITopicConfig[] {
  return (Object.keys(topics) as (keyof Topics)[]).map((name) => ({
    topic: topics[name],
    numPartitions: settings.partitions,
    replicationFactor: settings.replicationFactor,
    configEntries: [
      ...Object.entries(topicConfigEntries(TOPIC_KINDS[name], settings.bounds)).map(([entry, value]) => ({ name: entry, value })),
      ...(settings.minInsyncReplicas === undefined ? [] : [{ name: MIN_ISR, value: String(settings.minInsyncReplicas) }]),
    ],
  }));
}

/** The same topics with only the settings put on existing topics too: their bounds, not their replication. */
function boundsOnly(configs: readonly ITopicConfig[]): ITopicConfig[] {
  return configs.map((config) => ({ ...config, configEntries: (config.configEntries ?? []).filter((entry) => entry.name !== MIN_ISR) }));
}

export async function ensureTopics(admin: Admin, topics: Topics, settings: TopicSettings, logger: Logger): Promise<void> {
  const wanted = topicConfigs(topics, settings);
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter(({ topic }) => !existing.has(topic));
  const old = wanted.filter(({ topic }) => existing.has(topic)).map(({ topic }) => topic);
  if (missing.length > 0) {
    try {
      await admin.createTopics({ waitForLeaders: true, topics: missing });
      logger.info('created topics', {
        topics: missing.map((t) => t.topic),
        partitions: settings.partitions,
        replicationFactor: settings.replicationFactor,
        ...(settings.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: settings.minInsyncReplicas }),
      });
    } catch (error) {
      // The collector and the pipeline may start together and race to create the same topics; and kafkajs'
      // wait for leaders gives up when the broker's metadata does not know a topic it just created yet.
      if (!(await allListedSoon(admin, missing.map((t) => t.topic)))) throw error;
    }
    await metadataSettled(admin, missing.map((t) => t.topic));
  }
  // Every topic, not only the old ones: a topic another process created in a race, with other bounds, gets these.
  await alignTopicConfigs(admin, boundsOnly(wanted), logger);
  if (old.length > 0) await warnOfOtherReplication(admin, old, settings, logger);
}

/** A topic's replication as the broker reports it: the fewest replicas of any partition, and the effective min ISR. */
export interface TopicReplication {
  topic: string;
  replicationFactor: number;
  minInsyncReplicas: number;
}

export interface ReplicationMismatch {
  topic: string;
  /** What differs, as `<the topic's> (wanted <ours>)`. */
  replicationFactor?: string;
  minInsyncReplicas?: string;
}

/** The topics replicated otherwise than `settings` ask; min ISR is only compared when `settings` set one. */
export function replicationMismatches(actual: readonly TopicReplication[], settings: Pick<TopicSettings, 'replicationFactor' | 'minInsyncReplicas'>): ReplicationMismatch[] {
  return actual.flatMap(({ topic, replicationFactor, minInsyncReplicas }) => {
    const mismatch: ReplicationMismatch = { topic };
    if (replicationFactor !== settings.replicationFactor) mismatch.replicationFactor = `${replicationFactor} (wanted ${settings.replicationFactor})`;
    if (settings.minInsyncReplicas !== undefined && minInsyncReplicas !== settings.minInsyncReplicas) {
      mismatch.minInsyncReplicas = `${minInsyncReplicas} (wanted ${settings.minInsyncReplicas})`;
    }
    return mismatch.replicationFactor === undefined && mismatch.minInsyncReplicas === undefined ? [] : [mismatch];
  });
}

async function replicationOf(admin: Admin, topics: readonly string[]): Promise<TopicReplication[]> {
  const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
  const described = await describeTopicConfigs(admin, topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: [MIN_ISR] })));
  const minIsr = new Map(described.resources.map((r) => [r.resourceName, Number(r.configEntries.find((e) => e.configName === MIN_ISR)?.configValue)]));
  return metadata.topics.map(({ name, partitions }) => ({
    topic: name,
    replicationFactor: Math.min(...partitions.map((p) => p.replicas.length)),
    minInsyncReplicas: minIsr.get(name) ?? Number.NaN,
  }));
}

async function warnOfOtherReplication(admin: Admin, topics: readonly string[], settings: TopicSettings, logger: Logger): Promise<void> {
  const mismatches = replicationMismatches(await replicationOf(admin, topics), settings);
  if (mismatches.length === 0) return;
  logger.warn(
    `existing topics are replicated otherwise than KAFKA_REPLICATION_FACTOR=${settings.replicationFactor}` +
      `${settings.minInsyncReplicas === undefined ? '' : ` / KAFKA_MIN_INSYNC_REPLICAS=${settings.minInsyncReplicas}`} ask; ` +
      `they are left as they are: ${mismatches.map((m) => m.topic).join(', ')}`,
    { topics: mismatches },
  );
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

/**
 * DescribeConfigs of topics. On a cluster it goes to one broker, which may not have a topic just created in its
 * metadata yet and answers UNKNOWN_TOPIC_OR_PARTITION; kafkajs gives up at once on that (it retries NOT_CONTROLLER
 * only), so it is asked again until the topic shows, for as long as start-up waits for created topics.
 */
async function describeTopicConfigs(admin: Admin, resources: ResourceConfigQuery[]): Promise<DescribeConfigResponse> {
  const deadline = Date.now() + ALTERED_VISIBLE_WITHIN_MS;
  for (;;) {
    try {
      return await admin.describeConfigs({ includeSynonyms: false, resources });
    } catch (error) {
      if ((error as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Answers in a row, each from whichever broker kafkajs asks, that make a new topic's metadata settled. */
const SETTLED_ANSWERS = 3;

/**
 * Waits until new topics' metadata is answered, with a leader for every partition, several times in a row.
 * On a cluster each broker learns a new topic from the controller in its own time; until then it answers
 * UNKNOWN_TOPIC_OR_PARTITION, and a producer whose first metadata request reaches it gives up its send
 * (found by the cluster tests: a send right after start-up failed with "does not host this topic-partition").
 * kafkajs asks a broker of its choice each time, so a few answers in a row stand for the cluster's.
 */
async function metadataSettled(admin: Admin, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + ALTERED_VISIBLE_WITHIN_MS;
  for (let inARow = 0; inARow < SETTLED_ANSWERS; ) {
    let led = false;
    try {
      const { topics: known } = await admin.fetchTopicMetadata({ topics: [...topics] });
      led = known.length === topics.length && known.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
    } catch (error) {
      if ((error as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
    }
    inARow = led ? inARow + 1 : 0;
    if (inARow < SETTLED_ANSWERS) {
      // Past the deadline the topics exist all the same: the clients' own retries take over from here.
      if (Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The topic-level overrides of each topic, as the broker reports them now. */
async function overridesOf(admin: Admin, topics: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const described = await describeTopicConfigs(admin, topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })));
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
