/**
 * `POST /v1/ingest`: limit the body, verify the edge's signature over the raw
 * bytes, parse, validate the envelope, split valid events from dead letters,
 * and answer 202 only once Kafka acknowledged every record of this request.
 */
import type { Context } from 'hono';
import { SIGNATURE_HEADER, validateRelayEnvelope, verifyRelay, type HmacCrypto, type Topics } from '@sessionflow/core';
import { otherScopes, wrongScopeBody, type ScopeSecrets } from '../auth/scopes.js';
import { jsonError } from '../http/errors.js';
import { retryAfterSeconds } from '../http/retry-after.js';
import type { Logger } from '../log.js';
import type { CollectorMetrics, ErrorKind } from '../metrics.js';
import type { ReadinessProbe } from '../kafka/readiness.js';
import { BatcherClosedError, QueueFullError } from './batcher.js';
import { readBodyWithin } from './body.js';
import { buildRecords } from './records.js';
import { showLevel } from '../degrade/level-metrics.js';
import type { RecordSink } from './sink.js';

export interface IngestDeps {
  /** The relay's HMAC key signs ingest; the others are recognised to answer 403 `wrong_scope`. */
  secrets: ScopeSecrets;
  bodyLimitBytes: number;
  produceTimeoutMs: number;
  topics: Topics;
  sink: RecordSink;
  readiness: ReadinessProbe;
  metrics: CollectorMetrics;
  crypto: HmacCrypto;
  now: () => number;
  isDraining: () => boolean;
  logger: Logger;
}

export interface IngestAnswer {
  accepted: number;
  /** The edge's decisions written with the events (absent when the batch carried none). */
  decisions?: number;
  deadLettered: number;
}

class ProduceTimeoutError extends Error {
  override readonly name = 'ProduceTimeoutError';
}

export function ingestHandler(deps: IngestDeps): (c: Context) => Promise<Response> {
  const encoder = new TextEncoder();
  const secret = encoder.encode(deps.secrets.relay);
  const others = otherScopes(deps.secrets, 'relay').map((o) => ({ scope: o.scope, key: encoder.encode(o.secret) }));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const refuse = (c: Context, kind: ErrorKind, status: 400 | 401 | 413 | 503, message: string, details?: Record<string, unknown>) => {
    if (status === 503) c.header('retry-after', String(retryAfterSeconds(kind)));
    deps.metrics.errors.inc({ kind });
    return jsonError(c, status, kind, message, details);
  };

  return async (c) => {
    if (deps.isDraining()) {
      c.header('connection', 'close');
      return refuse(c, 'shutting_down', 503, 'the collector is shutting down; retry on another instance or later');
    }

    const body = await readBodyWithin(c.req.raw, deps.bodyLimitBytes);
    if (body === null) {
      c.header('connection', 'close');
      return refuse(c, 'body_too_large', 413, `the body is larger than ${deps.bodyLimitBytes} bytes`);
    }

    const header = c.req.header(SIGNATURE_HEADER);
    const signature = await verifyRelay(deps.crypto, secret, body, header, deps.now());
    if (!signature.ok) {
      // Signed, but with a secret of another scope: a configuration mistake, named as such (never the value).
      for (const other of others) {
        if ((await verifyRelay(deps.crypto, other.key, body, header, deps.now())).ok) {
          deps.metrics.errors.inc({ kind: 'wrong_scope' });
          return c.json(wrongScopeBody('relay', other.scope), 403);
        }
      }
      return refuse(c, 'bad_signature', 401, signature.reason);
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(body));
    } catch {
      return refuse(c, 'invalid_json', 400, 'the body is not JSON');
    }

    const envelope = validateRelayEnvelope(parsed);
    if (!envelope.ok) {
      const first = envelope.errors[0];
      const message = first ? `${first.field}: ${first.reason}` : 'the relay envelope is invalid';
      return refuse(c, 'invalid_envelope', 400, message, { field: first?.field, errors: envelope.errors });
    }

    // Fail fast while the last probe saw Kafka down, instead of holding the edge for the full timeout.
    const readiness = deps.readiness.lastKnown();
    if (readiness && !readiness.ready) {
      return refuse(c, 'kafka_unavailable', 503, `Kafka cannot take records now: ${readiness.reason ?? 'unknown reason'}`);
    }

    const { records, accepted, decisions, deadLettered, acceptedByType } = buildRecords(envelope.value, deps.topics, deps.now());
    const failure = await produce(deps, records);
    if (failure) return refuse(c, failure.kind, 503, failure.message);

    for (const [type, count] of acceptedByType) deps.metrics.eventsByType.inc({ type }, count);
    const { edge } = envelope.value;
    if (edge !== undefined) {
      deps.metrics.edgeOutboxDepth.set(edge.outboxDepth);
      deps.metrics.edgeDecideSeconds.observe(edge.decideMs / 1000);
      if (edge.level !== undefined) showLevel(deps.metrics.edgeLevel, edge.level);
    }

    if (accepted > 0) deps.metrics.events.inc({ outcome: 'accepted' }, accepted);
    if (deadLettered > 0) deps.metrics.events.inc({ outcome: 'dead_lettered' }, deadLettered);
    const answer: IngestAnswer = { accepted, ...(decisions > 0 ? { decisions } : {}), deadLettered };
    return c.json(answer, 202);
  };
}

/** Hands records to the sink and waits for Kafka's ack; null when acknowledged, else why not (the catalog feed shares it). */
export async function produce(
  deps: Pick<IngestDeps, 'sink' | 'produceTimeoutMs' | 'logger'>,
  records: Parameters<RecordSink['enqueue']>[0],
): Promise<{ kind: ErrorKind; message: string } | null> {
  if (records.length === 0) return null;
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new ProduceTimeoutError(`Kafka did not acknowledge within ${deps.produceTimeoutMs} ms`)),
    deps.produceTimeoutMs,
  );
  try {
    await deps.sink.enqueue(records, abort.signal);
    return null;
  } catch (error) {
    if (error instanceof ProduceTimeoutError) return { kind: 'kafka_timeout', message: error.message };
    if (error instanceof QueueFullError) return { kind: 'overloaded', message: `the collector is overloaded: ${error.message}; nothing of this request was taken` };
    if (error instanceof BatcherClosedError) return { kind: 'shutting_down', message: error.message };
    deps.logger.warn('produce failed', { error });
    return { kind: 'kafka_unavailable', message: `Kafka did not take the records: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}
