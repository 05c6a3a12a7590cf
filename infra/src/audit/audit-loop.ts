/**
 * The downstream ledger: for every event the edge accepted (answered 200
 * for), is it in `sf.events`, and did the pipeline count it exactly once?
 * The crash tests and the flash-sale benchmark hold the loop to "nothing
 * accepted is lost, downstream state counts each event once" with it.
 *
 * Kafka: `sf.events` is read from its earliest offsets to its end. An accepted
 * id found there is `inKafka`; records of it beyond the first are
 * `duplicatesInKafka` (the design lets duplicates travel: an edge retry after
 * a lost answer, a producer retry after a timeout).
 *
 * The pipeline (ledger.ts says which state is read and why):
 * - with `redisUrl`, per event: the sessions stage's and the aggregates
 *   stage's marks of the event id (written in the same atomic script as the
 *   event's effects, so a mark means its effects were applied, and a mark
 *   without effects or the reverse cannot exist); per session: the sessions
 *   stage's count of folded events against the distinct ids Kafka holds for
 *   it, and the recommendation model's item sequences against the session's
 *   product views in Kafka (plus their copies re-sent under the user a device
 *   turned out to be, marked `seen:<id>:prefix`, which teach the user's
 *   partition the views from before the login);
 * - without it, per session only, through the read API (`GET /v1/sessions/:id`).
 *
 * What it proves: an accepted id absent from `sf.events` is lost on the way in;
 * one without a mark of a stage, or in a session whose count falls short, was
 * never counted there; one marked in two by-user partitions (counted for two
 * people: twice in every global sum), or whose prefix copy is marked in two,
 * was counted twice; a session whose count, or whose item sequences' entries
 * of a product, exceed what Kafka's distinct ids (and the prefix marks) account
 * for holds a double count.
 * What it cannot prove: which event of a session was counted twice when only
 * the session's count shows it (its accepted ids are all named in
 * `countedTwice`, and `duplicateEffects` says how many counts too many); a
 * double count in a state that keeps no count per session or per event
 * (popularity, affinities, the funnel, experiments) other than through the
 * views and events above — compare those with a reference run of the same
 * workload (the crash tests do); sessions with more than 50 product views
 * (the item sequence keeps the last 50: `sessionsTooLongForItems`); events of
 * a person erased meanwhile (dropped on purpose: they show as missing); marks
 * older than the pipeline's dedupe window (24 h), which expire.
 */
import { Kafka, logLevel } from 'kafkajs';
import { topicNames } from '@sessionflow/core';
import { readStateLayout } from '@sessionflow/collector';
import { addEventRecord, emptyEventFacts } from './event-facts.js';
import { tallyLedger, type KafkaEvent, type LedgerReport } from './ledger.js';
import { storeFactsFromReadApi, storeFactsFromRedis } from './store-facts.js';
import { TopicFollower } from './topic-follower.js';

export type { KafkaEvent, LedgerReport, SessionMismatch, StageTally, StoreFacts } from './ledger.js';

export interface AuditTarget {
  kafkaBrokers: string[];
  topicPrefix: string;
  /** The pipeline's Redis (a cluster's nodes comma-separated): per-event marks and the sessions' state. Without it, the read API's session counts only. */
  redisUrl?: string | undefined;
  collectorUrl: string;
  readSecret: string;
}

export interface AuditOptions {
  /**
   * How long to wait for accepted events still on their way (an edge's outbox,
   * the pipeline's lag): the ledger is read again until every accepted id is in
   * Kafka and counted by every stage, or this much time passed. Default 0: one reading.
   */
  waitMs?: number;
  /** The pipeline's `PIPELINE_DEDUPE_TTL_S` (default 86400): when a mark was written is its expiry minus this. */
  dedupeTtlS?: number;
  log?: (line: string) => void;
}

export type AuditReport = LedgerReport;

export async function auditLoop(target: AuditTarget, acceptedIds: Iterable<string>, opts: AuditOptions = {}): Promise<AuditReport> {
  const accepted = [...new Set(acceptedIds)];
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const topics = topicNames(target.topicPrefix);
  const kafka = new Kafka({ clientId: 'sessionflow-audit', brokers: target.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const facts = emptyEventFacts();
  let follower: TopicFollower | undefined;
  try {
    const layout = target.redisUrl === undefined ? undefined : await readStateLayout(admin, target.topicPrefix);
    follower = await TopicFollower.start(kafka, topics.events, (value, timestamp) => addEventRecord(facts, value, timestamp));
    for (let pass = 1; ; pass++) {
      await follower.readToEnd(Math.max(30_000, deadline - Date.now()));
      const looked = accepted.flatMap((id): KafkaEvent[] => {
        const event = facts.events.get(id);
        return event === undefined ? [] : [event];
      });
      const store =
        target.redisUrl !== undefined && layout !== undefined
          ? await storeFactsFromRedis(target.redisUrl, looked, { layout, dedupeTtlS: opts.dedupeTtlS ?? DEFAULT_DEDUPE_TTL_S })
          : await storeFactsFromReadApi(target.collectorUrl, target.readSecret, looked);
      const report = tallyLedger(accepted, facts.events, store);
      const complete = report.missingFromKafka.length === 0 && report.missingFromPipeline.length === 0;
      if (complete || Date.now() >= deadline) {
        if (facts.unreadable > 0) opts.log?.(`audit: ${facts.unreadable} records of ${topics.events} are neither events nor decisions`);
        return report;
      }
      if (pass % 10 === 0) {
        opts.log?.(`audit: waiting for ${report.missingFromKafka.length} accepted events not in ${topics.events} and ${report.missingFromPipeline.length} not counted yet`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await follower?.stop();
    await admin.disconnect().catch(() => {});
  }
}

/** The pipeline's default `PIPELINE_DEDUPE_TTL_S`. */
const DEFAULT_DEDUPE_TTL_S = 86_400;
