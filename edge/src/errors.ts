/**
 * Every answer that is not a success is `{ error, message }` JSON, so the SDK
 * and people reading logs both learn what to fix.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorCode =
  | 'unknown_site'
  | 'origin_not_allowed'
  | 'origin_required'
  | 'unauthorized'
  | 'wrong_scope'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'invalid_json'
  | 'invalid_batch'
  | 'collector_unavailable'
  | 'edge_busy'
  | 'rate_limited'
  | 'invalid_request'
  | 'decisions_unavailable'
  | 'relay_secret_missing'
  | 'config_invalid'
  | 'not_found'
  | 'method_not_allowed'
  | 'internal_error';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  [extra: string]: unknown;
}

/** An error that already knows its HTTP answer; app.onError turns it into JSON. */
export class EdgeError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    /** Extra headers for the answer, e.g. Retry-After on a 503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'EdgeError';
  }
}

export function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  return { error: code, message, ...extra };
}
