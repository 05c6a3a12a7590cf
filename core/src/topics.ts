/** Kafka topic names (DESIGN.md, "Topics"); the prefix is configurable per deployment. */
export interface Topics {
  events: string;
  eventsDlq: string;
}

export function topicNames(prefix = 'sf'): Topics {
  return { events: `${prefix}.events`, eventsDlq: `${prefix}.events.dlq` };
}
