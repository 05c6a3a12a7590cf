/**
 * What the collector's readiness asks before it takes records: the producer
 * runs, every partition it writes to has a leader and enough in-sync replicas
 * (one metadata request, which also proves a broker answers), and the send in
 * flight has not waited past the produce timeout. The last catches what
 * metadata shows late: after a broker dies, the controller keeps it in the
 * in-sync sets until its session times out, and acks=all writes wait for it.
 */
export interface WriteReadinessDeps {
  producerAlive: () => boolean;
  /** Throws why a write would be refused now (in-sync.ts). */
  inSync: () => Promise<void>;
  /** How long the send in flight has waited for its acknowledgement (the batcher's). */
  unacknowledgedForMs: () => number;
  produceTimeoutMs: number;
}

/** Resolves when the collector can take records; throws the reason otherwise (what `/readyz` and a 503 say). */
export function writeReadiness(deps: WriteReadinessDeps): () => Promise<void> {
  return async () => {
    if (!deps.producerAlive()) throw new Error('the Kafka producer stopped');
    await deps.inSync();
    const waited = deps.unacknowledgedForMs();
    if (waited > deps.produceTimeoutMs) {
      throw new Error(`REQUEST_TIMED_OUT: Kafka has not acknowledged the records sent ${waited} ms ago (the producer keeps retrying them)`);
    }
  };
}
