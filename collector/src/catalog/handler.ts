/**
 * `POST /v1/catalog`: a site pushes its products and their stock like a feed.
 * Validated, written to the compacted products and inventory topics, and
 * answered 202 only once Kafka acknowledged every record, as ingest is. The
 * pipeline takes them from there into the store the read API serves.
 */
import type { Context } from 'hono';
import type { Topics } from '@sessionflow/core';
import { jsonError } from '../http/errors.js';
import { retryAfterSeconds } from '../http/retry-after.js';
import { produce } from '../ingest/handler.js';
import { readBodyWithin } from '../ingest/body.js';
import type { RecordSink } from '../ingest/sink.js';
import type { ReadinessProbe } from '../kafka/readiness.js';
import type { Logger } from '../log.js';
import type { CollectorMetrics, ErrorKind } from '../metrics.js';
import { catalogRecords } from './records.js';
import { parseCatalogFeed } from './schema.js';

export interface CatalogDeps {
  bodyLimitBytes: number;
  produceTimeoutMs: number;
  topics: Pick<Topics, 'products' | 'inventory'>;
  sink: RecordSink;
  readiness: ReadinessProbe;
  metrics: CollectorMetrics;
  isDraining: () => boolean;
  logger: Logger;
}

export interface CatalogAnswer {
  products: number;
}

export function catalogHandler(deps: CatalogDeps): (c: Context) => Promise<Response> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const refuse = (c: Context, kind: ErrorKind, status: 400 | 413 | 503, message: string, details?: Record<string, unknown>) => {
    if (status === 503) c.header('retry-after', String(retryAfterSeconds(kind)));
    deps.metrics.errors.inc({ kind });
    return jsonError(c, status, kind, message, details);
  };

  return async (c) => {
    if (deps.isDraining()) return refuse(c, 'shutting_down', 503, 'the collector is shutting down; retry later');

    const body = await readBodyWithin(c.req.raw, deps.bodyLimitBytes);
    if (body === null) {
      c.header('connection', 'close');
      return refuse(c, 'body_too_large', 413, `the body is larger than ${deps.bodyLimitBytes} bytes; push the catalog in parts`);
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(body));
    } catch {
      return refuse(c, 'invalid_json', 400, 'the body is not JSON');
    }

    const feed = parseCatalogFeed(parsed);
    if (!feed.ok) {
      const first = feed.errors[0];
      const message = first ? `${first.field}: ${first.reason}` : 'the catalog is invalid';
      return refuse(c, 'invalid_catalog', 400, message, { field: first?.field, errors: feed.errors.slice(0, 20) });
    }

    const readiness = deps.readiness.lastKnown();
    if (readiness && !readiness.ready) {
      return refuse(c, 'kafka_unavailable', 503, `Kafka cannot take records now: ${readiness.reason ?? 'unknown reason'}`);
    }

    const failure = await produce(deps, catalogRecords(feed.products, deps.topics));
    if (failure) return refuse(c, failure.kind, 503, failure.message);

    const answer: CatalogAnswer = { products: feed.products.length };
    return c.json(answer, 202);
  };
}
