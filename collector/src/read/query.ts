/** The read routes' query parameters, validated with the field named in each error. */
import * as v from 'valibot';
import type { RecsQuery } from './store.js';

export const RECS_DEFAULT_N = 10;
export const RECS_MAX_N = 50;
export const INVENTORY_MAX_IDS = 100;

const Id = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(256, 'must be at most 256 characters'));

const RecsQuerySchema = v.object({
  visitor: v.optional(Id),
  session: v.optional(Id),
  context: v.optional(Id),
  n: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,6}$/, 'must be a whole number'),
      v.transform(Number),
      v.minValue(1, 'must be at least 1'),
      // More than the maximum gets the maximum: a caller asking for "all" still gets an answer.
      v.transform((n) => Math.min(n, RECS_MAX_N)),
    ),
    String(RECS_DEFAULT_N),
  ),
});

const InventoryQuerySchema = v.object({
  ids: v.pipe(
    v.string('is required: a comma-separated list of product ids'),
    v.transform((raw) => [...new Set(raw.split(',').map((id) => id.trim()).filter((id) => id.length > 0))]),
    v.minLength(1, 'must name at least one product id'),
    v.maxLength(INVENTORY_MAX_IDS, `must name at most ${INVENTORY_MAX_IDS} product ids`),
    v.check((ids) => ids.every((id) => id.length <= 256), 'must hold ids of at most 256 characters'),
  ),
});

export type QueryResult<T> = { ok: true; value: T } | { ok: false; field: string; reason: string };

function parseQuery<T>(schema: v.GenericSchema<unknown, T>, query: Record<string, string>): QueryResult<T> {
  const result = v.safeParse(schema, query);
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  return { ok: false, field: issue ? (v.getDotPath(issue) ?? '') : '', reason: issue?.message ?? 'is invalid' };
}

export const parseRecsQuery = (query: Record<string, string>): QueryResult<RecsQuery> => parseQuery(RecsQuerySchema, query);
export const parseInventoryQuery = (query: Record<string, string>): QueryResult<{ ids: string[] }> => parseQuery(InventoryQuerySchema, query);
