/** The JSON error body of the wire contract: `{ error: <code>, message: <human text> }`, plus details where they help. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ErrorBody {
  error: string;
  message: string;
  [detail: string]: unknown;
}

export function jsonError(c: Context, status: ContentfulStatusCode, error: string, message: string, details: Record<string, unknown> = {}): Response {
  const body: ErrorBody = { error, message, ...details };
  return c.json(body, status);
}
