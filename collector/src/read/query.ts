/**
 * The read routes' query and path parameters, validated with the field named
 * in each error. User ids and anonymous ids follow the event schema's rules
 * (core's UserIdSchema, IdSchema): an id the pipeline could never have stored
 * is refused, not looked up.
 */
import * as v from 'valibot';
import { IdSchema, UserIdSchema, type ProfileRef } from '@sessionflow/core';
import type { RecsQuery } from './store.js';

export const RECS_DEFAULT_N = 10;
export const RECS_MAX_N = 50;
export const INVENTORY_MAX_IDS = 100;

const Id = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(256, 'must be at most 256 characters'));

const RecsQuerySchema = v.pipe(
  v.object({
    /** A (verified) user: their profile, stitched across their devices. */
    user: v.optional(UserIdSchema),
    /** A device (anonymous id): its own history, never its linked user's. */
    device: v.optional(IdSchema),
    // Gone: it named either kind of id, so a device could be read as a user. Refused rather than ignored, so a caller still sending it learns why its recommendations stopped being personal.
    visitor: v.optional(v.never('is no longer read: name the profile with user= (a verified user id) or device= (an anonymous id)')),
    session: v.optional(IdSchema),
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
  }),
  v.forward(
    v.check((q) => q.user === undefined || q.device === undefined, 'must not be given with user: name one profile, a user or a device'),
    ['device'],
  ),
  v.transform((q): RecsQuery => {
    const profile: ProfileRef | undefined = q.user !== undefined ? { kind: 'user', id: q.user } : q.device !== undefined ? { kind: 'device', id: q.device } : undefined;
    return { ...(profile === undefined ? {} : { profile }), session: q.session, context: q.context, n: q.n };
  }),
);

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

/** The id of `GET /v1/profile/user/:userId` or `/v1/profile/device/:anonymousId`, checked with the schema's rule for its kind. */
export function parseProfilePath(kind: ProfileRef['kind'], id: string): QueryResult<ProfileRef> {
  const result = v.safeParse(kind === 'user' ? UserIdSchema : IdSchema, id);
  if (result.success) return { ok: true, value: { kind, id: result.output } };
  return { ok: false, field: kind === 'user' ? 'userId' : 'anonymousId', reason: result.issues[0]?.message ?? 'is invalid' };
}
export const parseInventoryQuery = (query: Record<string, string>): QueryResult<{ ids: string[] }> => parseQuery(InventoryQuerySchema, query);
