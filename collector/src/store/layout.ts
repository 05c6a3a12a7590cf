/**
 * Where each piece of state lives: the partition counts of the topics whose
 * partitions own state, read from Kafka once at start, and the key scopes
 * that follow from them (owner.ts). The pipeline writes through the scope of
 * the batch's partition; the read API and the erasure find a person's,
 * a device's or a product's partition with the producers' partitioner, and
 * visit every partition for the per-partition parts of the global sums.
 */
import type { Admin } from 'kafkajs';
import { topicNames, type Topics } from '@sessionflow/core';
import { identityKeys, type IdentityKeys } from './identity-keys.js';
import { storeKeys, type StoreKeys } from './keys.js';
import { topicOwners, type TopicOwners } from './owner.js';
import { sessionKeys, type SessionKeys } from '../pipeline/sessions/keys.js';

export type OwningTopic = 'events' | 'eventsByUser' | 'products' | 'inventory';

export type PartitionCountsOf = Readonly<Record<OwningTopic, number>>;

export interface StateLayout {
  readonly prefix: string;
  readonly topics: Topics;
  readonly owners: Readonly<Record<OwningTopic, TopicOwners>>;
  /** The aggregates' keys of one by-user partition (a profile's, and that partition's parts of the sums). */
  byUser(partition: number): StoreKeys;
  /** The keys of the by-user partition that owns the profile `ref`. */
  profile(ref: string): StoreKeys;
  /** The products partition that owns `productId`. */
  product(productId: string): StoreKeys;
  /** The inventory partition that owns `productId`. */
  stock(productId: string): StoreKeys;
  /** One products partition's keys (a scan of the catalog visits each). */
  productsAt(partition: number): StoreKeys;
  /** One inventory partition's keys. */
  inventoryAt(partition: number): StoreKeys;
  /** The identity stage's keys of the events partition that owns the device. */
  deviceIdentity(anonymousId: string): IdentityKeys;
  /** The sessions stage's keys of the events partition that owns the device. */
  deviceSessions(anonymousId: string): SessionKeys;
  /** The sessions stage's keys of one events partition. */
  deviceSessionsAt(partition: number): SessionKeys;
  /** Every by-user partition's keys: what a read of the sums visits. */
  everyByUser(): readonly StoreKeys[];
  /**
   * Every topic-partition whose stages guard erasure markers in their slot
   * (../erasure/marks.ts): each partition of the events topic (identity,
   * sessions) and of the by-user topic (aggregates). A marker is set in all.
   */
  markerScopes(): readonly { topic: string; partition: number }[];
}

export function stateLayout(prefix: string, counts: PartitionCountsOf): StateLayout {
  const topics = topicNames(prefix);
  const owners = {
    events: topicOwners(topics.events, counts.events),
    eventsByUser: topicOwners(topics.eventsByUser, counts.eventsByUser),
    products: topicOwners(topics.products, counts.products),
    inventory: topicOwners(topics.inventory, counts.inventory),
  };
  const byUser = (partition: number) => storeKeys(prefix, topics.eventsByUser, partition);
  const every = owners.eventsByUser.all().map(byUser);
  const markerScopes = [owners.events, owners.eventsByUser].flatMap((o) => o.all().map((partition) => ({ topic: o.topic, partition })));
  return {
    prefix,
    topics,
    owners,
    byUser,
    profile: (ref) => byUser(owners.eventsByUser.of(ref)),
    product: (id) => storeKeys(prefix, topics.products, owners.products.of(id)),
    stock: (id) => storeKeys(prefix, topics.inventory, owners.inventory.of(id)),
    productsAt: (partition) => storeKeys(prefix, topics.products, partition),
    inventoryAt: (partition) => storeKeys(prefix, topics.inventory, partition),
    deviceIdentity: (anon) => identityKeys(prefix, topics.events, owners.events.of(anon)),
    deviceSessions: (anon) => sessionKeys(prefix, topics.events, owners.events.of(anon)),
    deviceSessionsAt: (partition) => sessionKeys(prefix, topics.events, partition),
    everyByUser: () => every,
    markerScopes: () => markerScopes,
  };
}

/** How long start-up tries to read the topics' partitions: a topic created a moment ago may have no metadata yet. */
const METADATA_WITHIN_MS = 30_000;

/** The layout of the topics as Kafka has them now; they must exist (the collector or the pipeline created them). */
export async function readStateLayout(admin: Admin, prefix: string): Promise<StateLayout> {
  const topics = topicNames(prefix);
  const wanted: Record<OwningTopic, string> = { events: topics.events, eventsByUser: topics.eventsByUser, products: topics.products, inventory: topics.inventory };
  const deadline = Date.now() + METADATA_WITHIN_MS;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: Object.values(wanted) });
      const count = (name: string): number => {
        const partitions = found.find((t) => t.name === name)?.partitions.length ?? 0;
        if (partitions < 1) throw new Error(`the topic ${name} has no partitions yet`);
        return partitions;
      };
      return stateLayout(prefix, { events: count(wanted.events), eventsByUser: count(wanted.eventsByUser), products: count(wanted.products), inventory: count(wanted.inventory) });
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`cannot read the partitions of ${Object.values(wanted).join(', ')}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
