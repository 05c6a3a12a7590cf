/**
 * The erasure's call to the edge: `POST ${EDGE_URL}/v1/admin/erase` with
 * `Authorization: Bearer <EDGE_ADMIN_SECRET>` and `{"anonymousIds": [...]}`,
 * so every site's visitor object of the person's devices deletes its storage
 * (edge/README.md, admin routes). The edge takes up to 1,000 ids and calls one
 * object per id and site; the ids go in chunks of EDGE_ERASE_CHUNK so each
 * request stays quick and far from the Worker's limits.
 *
 * Anything but a 200 with `{"erased": n}` (unreachable, a timeout, 5xx, 429, a
 * refused secret) is an EdgeUnavailableError: the erasure stops before Redis
 * and answers 503 with Retry-After; a retry calls the edge again (it is
 * idempotent: an object with nothing stored erases nothing).
 */
import * as v from 'valibot';
import { IdSchema } from '@sessionflow/core';

/** Anonymous ids per request to the edge. */
export const EDGE_ERASE_CHUNK = 100;
/** How long one request to the edge may take. */
export const EDGE_ERASE_TIMEOUT_MS = 10_000;
/** What a 503 tells the caller to wait when the edge could not be reached. */
export const EDGE_RETRY_AFTER_S = 30;

/** What the edge erased, or why it was not asked. */
export type EdgeErasure =
  | {
      reached: true;
      /** Devices (anonymous ids) sent to the edge. */
      devices: number;
      /** Requests made. */
      requests: number;
      /** Visitor objects (one per device and site) that held state and deleted it. */
      objectsErased: number;
    }
  | { reached: false; reason: string };

export const EDGE_NOT_CONFIGURED: EdgeErasure = Object.freeze({
  reached: false,
  reason: 'EDGE_URL is not set: the visitor objects of the devices at the edge were not erased (set EDGE_URL and EDGE_ADMIN_SECRET, then erase again)',
});

/** The edge did not erase: nothing else of the erasure was done yet. */
export class EdgeUnavailableError extends Error {
  readonly retryAfterSeconds = EDGE_RETRY_AFTER_S;
  constructor(reason: string) {
    super(`the edge did not erase the visitor objects: ${reason}`);
    this.name = 'EdgeUnavailableError';
  }
}

export interface EdgeEraser {
  /** Erases the objects of these devices at the edge; throws EdgeUnavailableError. */
  erase(anonymousIds: readonly string[]): Promise<{ requests: number; objectsErased: number }>;
}

/**
 * The ids in requests the edge takes. Ids the edge could never have named an
 * object by (the schema's anonymous-id rule) are left out: they hold no object,
 * and one would make the edge refuse its whole request.
 */
export function edgeEraseChunks(anonymousIds: readonly string[], size = EDGE_ERASE_CHUNK): string[][] {
  const ids = [...new Set(anonymousIds)].filter((id) => v.is(IdSchema, id));
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  return chunks;
}

export function edgeEraseRequest(edgeUrl: string, secret: string, anonymousIds: readonly string[]): { url: string; init: RequestInit } {
  return {
    url: new URL('/v1/admin/erase', edgeUrl).toString(),
    init: {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ anonymousIds }),
    },
  };
}

/** The objects the edge says it erased; throws EdgeUnavailableError for any other answer. */
export function readEdgeAnswer(status: number, body: unknown): number {
  if (status === 200) {
    const erased = typeof body === 'object' && body !== null ? (body as { erased?: unknown }).erased : undefined;
    if (typeof erased === 'number' && Number.isSafeInteger(erased) && erased >= 0) return erased;
    throw new EdgeUnavailableError('it answered 200 without a count of erased objects');
  }
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const code = typeof error === 'string' ? ` ${error}` : '';
  const hint = status === 401 || status === 403 ? ': EDGE_ADMIN_SECRET must be the edge\'s ADMIN_SECRET' : '';
  throw new EdgeUnavailableError(`it answered ${status}${code}${hint}`);
}

export interface EdgeEraserOptions {
  edgeUrl: string;
  secret: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export function edgeEraser(o: EdgeEraserOptions): EdgeEraser {
  const fetchFn = o.fetch ?? fetch;
  return {
    async erase(anonymousIds) {
      let requests = 0;
      let objectsErased = 0;
      for (const chunk of edgeEraseChunks(anonymousIds)) {
        const { url, init } = edgeEraseRequest(o.edgeUrl, o.secret, chunk);
        let response: Response;
        try {
          response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(o.timeoutMs ?? EDGE_ERASE_TIMEOUT_MS) });
        } catch (error) {
          throw new EdgeUnavailableError(`${new URL(url).origin} could not be reached (${error instanceof Error ? error.message : String(error)})`);
        }
        const body: unknown = await response.json().catch(() => undefined);
        objectsErased += readEdgeAnswer(response.status, body);
        requests++;
      }
      return { requests, objectsErased };
    },
  };
}
