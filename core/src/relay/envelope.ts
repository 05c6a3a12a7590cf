/**
 * What the edge relays to the collector (`POST /v1/ingest`): the accepted
 * events of one collect batch, with what the edge knows and the page does not.
 */
import * as v from 'valibot';
import { DEVICE_CLASSES } from '../device/device.js';
import { fieldErrors, type Validated } from '../event/validate.js';

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
  },
  'must be an object with relayVersion, siteKey, receivedAt and events',
);

export type RelayEnvelope = v.InferOutput<typeof RelayEnvelopeSchema>;

export function validateRelayEnvelope(input: unknown): Validated<RelayEnvelope> {
  const result = v.safeParse(RelayEnvelopeSchema, input, { abortPipeEarly: true });
  return result.success ? { ok: true, value: result.output } : { ok: false, errors: fieldErrors(result.issues) };
}
