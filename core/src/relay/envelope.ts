/**
 * What the edge relays to the collector (`POST /v1/ingest`): the accepted
 * events of one collect batch, with what the edge knows and the page does not.
 */
import * as v from 'valibot';
import { DEVICE_CLASSES } from '../device/device.js';
import { fieldErrors, type Validated } from '../event/validate.js';
import { DecidedSchema, MAX_RELAYED_DECISIONS } from '../decision/decided.js';
import { LEVELS } from '../degrade/level.js';

/** What the edge reports of itself with a batch: its outbox, how long the batch's decision took and at which degradation level. */
export const EdgeReportSchema = v.strictObject(
  {
    /** The visitor's batches waiting for the collector when this one left, this one included. */
    outboxDepth: v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(0, 'must not be negative')),
    /** Milliseconds the visitor object took to decide the batch's actions, on the edge's clock. */
    decideMs: v.pipe(v.number('must be a number'), v.minValue(0, 'must not be negative'), v.maxValue(600_000, 'must be at most 600000')),
    /**
     * The degradation level the batch's decisions were made at (degrade/level.ts), on the edge's clock when it
     * decided, not when the batch left: a batch kept in the outbox through an outage still says what its page got.
     * Absent from an edge of before.
     */
    level: v.optional(v.picklist(LEVELS, `must be one of ${LEVELS.join(', ')}`)),
  },
  'must be an object with outboxDepth and decideMs',
);

export const RELAY_VERSION = 1 as const;

export const RelayEnvelopeSchema = v.strictObject(
  {
    relayVersion: v.literal(RELAY_VERSION, `must be ${RELAY_VERSION}`),
    siteKey: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(128, 'must be at most 128 characters')),
    /** Edge clock when the batch arrived (epoch ms). */
    receivedAt: v.pipe(v.number('must be a number'), v.integer('must be an integer')),
    /** The browser's device class, from the collect request's user agent (`deviceClassOf`). */
    device: v.optional(v.picklist(DEVICE_CLASSES, `must be one of ${DEVICE_CLASSES.join(', ')}`)),
    /** Validated again by the collector: the edge is trusted to sign, not to be right. */
    events: v.pipe(v.array(v.unknown(), 'must be an array'), v.maxLength(1000, 'must hold at most 1000 events')),
    /** What the visitor object decided for this batch; they belong to the session stamped on its events. */
    decisions: v.optional(
      v.pipe(v.array(DecidedSchema, 'must be an array'), v.maxLength(MAX_RELAYED_DECISIONS, `must hold at most ${MAX_RELAYED_DECISIONS} decisions`)),
    ),
    edge: v.optional(EdgeReportSchema),
  },
  'must be an object with relayVersion, siteKey, receivedAt and events',
);

export type RelayEnvelope = v.InferOutput<typeof RelayEnvelopeSchema>;
export type EdgeReport = v.InferOutput<typeof EdgeReportSchema>;

export function validateRelayEnvelope(input: unknown): Validated<RelayEnvelope> {
  const result = v.safeParse(RelayEnvelopeSchema, input, { abortPipeEarly: true });
  return result.success ? { ok: true, value: result.output } : { ok: false, errors: fieldErrors(result.issues) };
}
