/**
 * The event schema, version 1: the one shape every event has on the wire, from
 * the SDK through the edge to the collector and Kafka. Validated at the edge
 * and again at the collector (DESIGN.md, "Topics").
 */
import * as v from 'valibot';
import { USER_ID_MAX_LENGTH, USER_ID_PATTERN } from '../identity/ids.js';

export const SCHEMA_VERSION = 1 as const;

/** Named `track` events the pipeline understands; any other name is a custom event. */
export const KNOWN_TRACK_NAMES = ['add_to_cart', 'purchase', 'search'] as const;

export const EVENT_TYPES = [
  'page_view',
  'click',
  'scroll',
  'dwell',
  'impression',
  'identify',
  'track',
  'exposure',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

// Ids are opaque to us but bounded: they become Kafka keys and Redis keys.
const Id = v.pipe(
  v.string('must be a string'),
  v.minLength(8, 'must be at least 8 characters'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.regex(/^[A-Za-z0-9_.:-]+$/, 'may hold only letters, digits and _ . : -'),
);

/** A user id: it names a person's profile, so it is bounded and plain (identity/ids.ts). */
const UserId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(USER_ID_MAX_LENGTH, `must be at most ${USER_ID_MAX_LENGTH} characters`),
  v.regex(USER_ID_PATTERN, 'may hold only letters, digits and _ . : @ + | = -'),
);

/**
 * The schema's rules for the ids it reads, for the services that take an id
 * elsewhere than in an event (a read API's path or query): anonymous, session
 * and event ids (`IdSchema`), and user ids (`UserIdSchema`).
 */
export const IdSchema = Id;
export const UserIdSchema = UserId;

/**
 * The site's signed word for an identify (a compact JWT). The edge verifies it
 * and drops it: it never travels past the edge.
 */
const IdentityToken = v.pipe(
  v.string('must be a string'),
  v.maxLength(4096, 'must be at most 4096 characters'),
  v.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, 'must be a signed token (a JWT: header.payload.signature)'),
);

const Name = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(128, 'must be at most 128 characters'),
);

const HttpUrl = v.pipe(
  v.string('must be a string'),
  v.maxLength(2048, 'must be at most 2048 characters'),
  v.url('must be an absolute URL'),
  // Case by case rather than with the `i` flag: JSON Schema patterns have no flags, and the compiled check is derived from this.
  v.regex(/^[Hh][Tt][Tt][Pp][Ss]?:/, 'must be an http or https URL'),
);

// Client clocks are wrong often enough that we only refuse the impossible:
// before 2020 or more than a day in the future relative to nothing we know
// here (the caller's clock is applied by the edge, not by the schema).
const Timestamp = v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer (epoch milliseconds)'),
  v.minValue(1_577_836_800_000, 'must be epoch milliseconds after 2020-01-01'),
);

const Properties = v.pipe(
  v.record(v.string(), v.unknown(), 'must be an object'),
  v.maxEntries(64, 'must have at most 64 keys'),
);

export const PageSchema = v.strictObject(
  {
    url: HttpUrl,
    referrer: v.optional(v.union([HttpUrl, v.literal('')], 'must be an absolute http(s) URL or empty')),
    title: v.optional(v.pipe(v.string('must be a string'), v.maxLength(512, 'must be at most 512 characters'))),
    /** Set by the SDK on each page view; every later event on that page carries it. */
    pageViewId: v.optional(Id),
  },
  'must be an object with url and optional referrer, title, pageViewId',
);

/** What the page said about a product through `data-sf-*` attributes. */
export const ProductRefSchema = v.strictObject(
  {
    id: Name,
    category: v.optional(Name),
    slot: v.optional(Name),
  },
  'must be an object with id and optional category, slot',
);

export const ElementSchema = v.strictObject(
  {
    tag: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(32, 'must be at most 32 characters')),
    selector: v.optional(v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'))),
    text: v.optional(v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'))),
    href: v.optional(v.pipe(v.string('must be a string'), v.maxLength(2048, 'must be at most 2048 characters'))),
  },
  'must be an object with tag and optional selector, text, href',
);

const common = {
  schemaVersion: v.literal(SCHEMA_VERSION, `must be ${SCHEMA_VERSION}`),
  eventId: Id,
  anonymousId: Id,
  sessionId: Id,
  userId: v.optional(UserId),
  timestamp: Timestamp,
  /** Per-session sequence number, so order survives retries and batching. */
  seq: v.optional(v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(0, 'must not be negative'))),
  page: PageSchema,
};

const PageViewEvent = v.strictObject({ ...common, type: v.literal('page_view') });

const ClickEvent = v.strictObject({
  ...common,
  type: v.literal('click'),
  element: ElementSchema,
  product: v.optional(ProductRefSchema),
});

const ScrollEvent = v.strictObject({
  ...common,
  type: v.literal('scroll'),
  depth: v.pipe(v.number('must be a number'), v.minValue(0, 'must be 0 to 100'), v.maxValue(100, 'must be 0 to 100')),
});

const DwellEvent = v.strictObject({
  ...common,
  type: v.literal('dwell'),
  activeMs: v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(0, 'must not be negative')),
});

const ImpressionEvent = v.strictObject({
  ...common,
  type: v.literal('impression'),
  product: ProductRefSchema,
});

const IdentifyEvent = v.strictObject({
  ...common,
  type: v.literal('identify'),
  userId: UserId,
  traits: v.optional(Properties),
  /** Signed by the site's server: without a valid one the edge links nothing (identity/verdict.ts). */
  token: v.optional(IdentityToken),
});

const TrackEvent = v.strictObject({
  ...common,
  type: v.literal('track'),
  name: Name,
  props: v.optional(Properties),
});

const ExposureEvent = v.strictObject({
  ...common,
  type: v.literal('exposure'),
  /** The action the visitor was shown (the id from the collect response). */
  actionId: Name,
  /** Present when the action belongs to an experiment: what the readout counts. */
  experiment: v.optional(Name),
  variant: v.optional(Name),
  slot: v.optional(Name),
});

export const EventSchema = v.variant(
  'type',
  [PageViewEvent, ClickEvent, ScrollEvent, DwellEvent, ImpressionEvent, IdentifyEvent, TrackEvent, ExposureEvent],
  `must be one of ${EVENT_TYPES.join(', ')}`,
);

export type SessionflowEvent = v.InferOutput<typeof EventSchema>;
export type EventOf<T extends EventType> = Extract<SessionflowEvent, { type: T }>;
export type Page = v.InferOutput<typeof PageSchema>;
export type ProductRef = v.InferOutput<typeof ProductRefSchema>;
export type ElementDescriptor = v.InferOutput<typeof ElementSchema>;
