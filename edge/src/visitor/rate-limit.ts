/**
 * How many events one visitor may send per window (vars `VISITOR_RATE_EVENTS`,
 * `VISITOR_RATE_WINDOW_MS`): a person browsing sends a few a second at most;
 * far more is a script, and it gets 429 with Retry-After.
 */
import type { EdgeBindings } from '../env.js';
import { EdgeError } from '../errors.js';

export interface RateLimit {
  events: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { events: 300, windowMs: 60_000 };

export function rateLimitOf(env: EdgeBindings): RateLimit {
  return {
    events: positiveInt('VISITOR_RATE_EVENTS', env.VISITOR_RATE_EVENTS, DEFAULT_RATE_LIMIT.events),
    windowMs: positiveInt('VISITOR_RATE_WINDOW_MS', env.VISITOR_RATE_WINDOW_MS, DEFAULT_RATE_LIMIT.windowMs),
  };
}

function positiveInt(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new EdgeError(500, 'config_invalid', `${name}: must be a positive integer (got ${JSON.stringify(raw)})`);
  return value;
}
