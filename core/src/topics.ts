/** Kafka topic names (DESIGN.md, "Topics"); the prefix is configurable per deployment. */
export interface Topics {
  events: string;
  eventsDlq: string;
  /** Compacted: anonymous id → user id. */
  identity: string;
  /** Repartition: events keyed by canonical id. */
  eventsByUser: string;
  /** Compacted: open-session snapshots by session id. */
  sessions: string;
  /** Compacted: profile snapshots by canonical id. */
  profiles: string;
  /** Compacted reference data by product id. */
  products: string;
  inventory: string;
  /**
   * Compacted, with a retention longer than any topic the events of a person
   * live in: erasure markers (pseudonymous, never the raw id), so a replay
   * from the earliest offset never brings an erased person back.
   */
  erasures: string;
}

export function topicNames(prefix = 'sf'): Topics {
  return {
    events: `${prefix}.events`,
    eventsDlq: `${prefix}.events.dlq`,
    identity: `${prefix}.identity`,
    eventsByUser: `${prefix}.events.by-user`,
    sessions: `${prefix}.sessions`,
    profiles: `${prefix}.profiles`,
    products: `${prefix}.products`,
    inventory: `${prefix}.inventory`,
    erasures: `${prefix}.erasures`,
  };
}
