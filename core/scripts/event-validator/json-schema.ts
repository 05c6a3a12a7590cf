/**
 * The event schema (and the collect envelope) as JSON Schema, derived from the
 * valibot schemas by @valibot/to-json-schema: the one schema stays in
 * src/event, this only says how to read it where JSON Schema has no word of
 * its own. Anything the converter cannot express fails the build (its default
 * error mode), so a new rule in the schema can never be dropped silently from
 * the compiled check.
 */
import { toJsonSchema, type ConversionConfig } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';

/** The keyword of "is an absolute URL" as valibot's `url()` means it (the WHATWG URL parser accepts it). */
export const URL_KEYWORD = 'urlParses';

/** Keys valibot's `record` leaves out of its output: an input holding one is left to valibot, whose output is the answer. */
const KEYS_VALIBOT_DROPS = ['__proto__', 'prototype', 'constructor'];

const conversion: ConversionConfig = {
  overrideAction: ({ valibotAction, jsonSchema }) => {
    // JSON Schema's `uri` format is an RFC 3986 pattern, not the WHATWG parser valibot asks: the same test is compiled in instead.
    if (valibotAction.type !== 'url') return undefined;
    const { format: _uri, ...rest } = jsonSchema;
    return { ...rest, [URL_KEYWORD]: true };
  },
  overrideSchema: ({ valibotSchema, jsonSchema }) => {
    if (valibotSchema.type === 'record') return { ...jsonSchema, propertyNames: { not: { enum: KEYS_VALIBOT_DROPS } } };
    if (valibotSchema.type === 'variant' && 'key' in valibotSchema && typeof valibotSchema.key === 'string') {
      // The converter ignores the discriminator (anyOf); said as one, the compiled check tries only the branch the key names.
      const key = valibotSchema.key;
      return { type: 'object', discriminator: { propertyName: key }, oneOf: jsonSchema.anyOf ?? jsonSchema.oneOf };
    }
    return undefined;
  },
};

export function jsonSchemaOf(schema: GenericSchema): Record<string, unknown> {
  const { $schema: _draft, ...rest } = toJsonSchema(schema, conversion) as Record<string, unknown>;
  return rest;
}
