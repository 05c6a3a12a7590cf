/**
 * How long a client should wait before it retries a 503, by why it was
 * refused; sent as `Retry-After` so the edge (or any relay) backs off instead
 * of hammering a collector that cannot write.
 */
import type { ErrorKind } from '../metrics.js';

/**
 * Kafka short of a leader or of in-sync replicas recovers when the controller
 * fences a dead broker and moves its partitions (within its session timeout,
 * 9 s by Kafka's default) or when the broker comes back: a few seconds. An
 * overloaded or draining instance frees up, or is replaced, sooner.
 */
const SECONDS: Partial<Record<ErrorKind, number>> = {
  kafka_unavailable: 5,
  kafka_timeout: 5,
  overloaded: 1,
  shutting_down: 1,
};

export function retryAfterSeconds(kind: ErrorKind): number {
  return SECONDS[kind] ?? 5;
}
