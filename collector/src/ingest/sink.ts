/** Where the ingest route hands its records: the batcher in production, a fake in tests. */

/** One Kafka record bound for `topic`; `key` decides the partition (and so the order kept). */
export interface OutboundRecord {
  topic: string;
  key: string;
  value: string;
}

export interface RecordSink {
  /** Resolves once Kafka acknowledged all of `records`; rejects if it failed or `signal` aborted first. */
  enqueue(records: readonly OutboundRecord[], signal?: AbortSignal): Promise<void>;
}
