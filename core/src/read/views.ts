/**
 * What the collector's read API answers and the edge reads back into its
 * visitor objects: the cross-device profile, recommendations and stock. One
 * schema on both sides, so the edge can refuse a malformed answer instead of
 * deciding on it (it then decides on the session alone).
 *
 *   GET /v1/profile/user/:userId                → ProfileView of a (verified) user id (404 when unknown)
 *   GET /v1/profile/device/:anonymousId         → ProfileView of a device, what it did while anonymous
 *   GET /v1/recs?user= | device= &session=&context=&n=  → RecsView (at most one of user, device)
 *   GET /v1/inventory?ids=a,b                   → InventoryView
 *
 * User ids and anonymous ids are separate namespaces (identity/ids.ts): a
 * read names which one it means. Every read carries
 * `authorization: Bearer <read secret>`.
 */
import * as v from 'valibot';
import type { Decided } from '../decision/decided.js';

const Id = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(256, 'must be at most 256 characters'));
const Count = v.pipe(v.number('must be a number'), v.minValue(0, 'must not be negative'));

export const ProfileBaselineSchema = v.object({
  avgEvents: Count,
  avgActiveMs: Count,
  avgPageViews: Count,
  sessions: Count,
}, 'must be a baseline with avgEvents, avgActiveMs, avgPageViews and sessions');

export const ProfileViewSchema = v.object(
  {
    /** Whose profile: a user's (stitched across devices) or a device's own. */
    kind: v.picklist(['user', 'device'], 'must be user or device'),
    /** The id asked for: the user id, or the anonymous id. */
    id: Id,
    userId: v.optional(Id),
    /** Every device (anonymous id) stitched to this person. */
    anonymousIds: v.array(Id, 'must be an array of ids'),
    sessions: Count,
    /** Category → decayed affinity, the strongest first is not implied. */
    affinities: v.record(v.string(), Count, 'must map categories to numbers'),
    /** Product ids, most recent first. */
    recentlyViewed: v.array(Id, 'must be an array of product ids'),
    purchased: v.array(Id, 'must be an array of product ids'),
    baseline: v.optional(ProfileBaselineSchema),
    /** Epoch ms of the last event that changed it. */
    updatedAt: Count,
  },
  'must be a profile object',
);

export const RecsItemSchema = v.object({
  id: Id,
  name: v.pipe(v.string('must be a string'), v.maxLength(512, 'must be at most 512 characters')),
  category: v.optional(Id),
  href: v.optional(v.pipe(v.string('must be a string'), v.maxLength(2048, 'must be at most 2048 characters'))),
  /** Display price, already formatted for the site. */
  price: v.optional(v.pipe(v.string('must be a string'), v.maxLength(32, 'must be at most 32 characters'))),
  score: v.number('must be a number'),
}, 'must be an item with id, name and score');

export const RecsViewSchema = v.object(
  {
    /** Best first; never an out-of-stock product. */
    items: v.pipe(v.array(RecsItemSchema, 'must be an array'), v.maxLength(100, 'must have at most 100 items')),
    /** `session` (learned from co-occurrence and the profile) or `popularity` (the fallback). */
    source: v.picklist(['session', 'popularity'], 'must be session or popularity'),
    generatedAt: Count,
  },
  'must be a recommendations object',
);

export const InventoryViewSchema = v.object(
  {
    /** Product id → in stock; an id the collector has never heard of is absent. */
    inStock: v.record(v.string(), v.boolean('must be true or false'), 'must map product ids to booleans'),
  },
  'must be an inventory object',
);

export type ProfileView = v.InferOutput<typeof ProfileViewSchema>;
export type RecsItem = v.InferOutput<typeof RecsItemSchema>;
export type RecsView = v.InferOutput<typeof RecsViewSchema>;
export type InventoryView = v.InferOutput<typeof InventoryViewSchema>;

export type ReadResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

function parseWith<T>(schema: v.GenericSchema<unknown, T>, input: unknown): ReadResult<T> {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  return {
    ok: false,
    errors: result.issues.map((issue) => {
      const path = v.getDotPath(issue);
      return path === null ? issue.message : `${path} ${issue.message}`;
    }),
  };
}

export const parseProfileView = (input: unknown): ReadResult<ProfileView> => parseWith(ProfileViewSchema, input);
export const parseRecsView = (input: unknown): ReadResult<RecsView> => parseWith(RecsViewSchema, input);
export const parseInventoryView = (input: unknown): ReadResult<InventoryView> => parseWith(InventoryViewSchema, input);

/*
 * What the console reads (the collector's read routes, read scope unless said):
 *
 *   GET /v1/sessions/open?limit=1..200        → OpenSessionsView
 *   GET /v1/sessions/:sessionId               → OpenSessionView (404 not_found)
 *   GET /v1/rules/fires?minutes=1..1440       → RuleFiresView
 *   GET /v1/experiments                       → ExperimentsListView
 *   GET /v1/admin/rules (admin scope)         → AdminRulesView (the edge's, relayed)
 */

/** The session signals the console shows; scores 0..1. */
export interface OpenSessionSignals {
  /** The category with the largest share of the session's product views (`''` before any). */
  intentCategory: string;
  intentShare: number;
  engagement: number;
  cartAbandonmentRisk: number;
  bounceRisk: number;
}

/** One open session as the pipeline folded it, with what the edge decided for it. Times are epoch ms (the edge's clock). */
export interface OpenSessionView {
  sessionId: string;
  anonymousId: string;
  userId?: string;
  startedAt: number;
  lastActivityAt: number;
  /** The device class of its events (`mobile`, `tablet`, `desktop`, `bot`). */
  device?: string;
  /** The traffic source of its landing page view (`utm_source`, the referring host, or `direct`). */
  source?: string;
  pageViews: number;
  events: number;
  lastPageUrl?: string;
  cartUnits: number;
  purchased: boolean;
  signals: OpenSessionSignals;
  /** Experiment key → variant, as the session's decisions name them. */
  variants: Record<string, string>;
  /** The session's latest decisions (at most 20), oldest first. */
  decisions: Decided[];
}

export interface OpenSessionsView {
  /** Open sessions on all partitions. */
  open: number;
  /** Distinct anonymous ids among them. */
  visitors: number;
  /** The most recently active first, at most `limit`. */
  sessions: OpenSessionView[];
}

export interface RuleFiresView {
  /** ISO minutes, the first and the last of the window. */
  from: string;
  to: string;
  /** Rules that fired in the window, the most fired first; `perMinute` holds every minute of the window, oldest first. */
  rules: { ruleId: string; fired: number; perMinute: { minute: string; fired: number }[] }[];
}

export interface ExperimentsListView {
  experiments: { key: string; variants: string[] }[];
}

export interface AdminRulesView {
  version: string;
  source: 'kv' | 'default';
  /** The rules document in force. */
  document: unknown;
  /** Why the newest stored document is refused (or KV could not be read). */
  error?: string;
}
