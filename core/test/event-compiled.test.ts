/**
 * The compiled checks (src/event/generated/validators.ts, generated at build
 * time from the valibot schemas by scripts/event-validator) against the
 * schema they come from: the generated module is what the generator makes of
 * the schema now, it needs no code generation at run time, it takes every good
 * case (else the fast path is never taken), and it never takes what valibot
 * refuses, or takes it otherwise than valibot's output, over thousands of
 * events mutated at random: the one schema keeps the last word.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { GENERATED_PATH, validatorsModule } from '../scripts/event-validator/module.js';
import { CollectBatchSchema } from '../src/event/batch-schema.js';
import { isCollectBatch, isEvent } from '../src/event/generated/validators.js';
import { EventSchema } from '../src/event/schema.js';
import { fieldErrors, validateEvent } from '../src/event/validate.js';
import { forbidCodeGeneration, restoreCodeGeneration } from './support/code-generation.js';
import cases from './cases/events.json' with { type: 'json' };

type Obj = Record<string, unknown>;
const core = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const build = (over: Obj): Obj => {
  const base = cases.base as Obj;
  const out: Obj = { ...base, ...over, page: { ...(base.page as Obj), ...((over.page as Obj | undefined) ?? {}) } };
  for (const [k, value] of Object.entries(over)) if (value === null) delete out[k];
  return out;
};

const valid = cases.valid.map(({ event }) => build(event as Obj));
const invalid = cases.invalid.map(({ event }) => build(event as Obj));

/** What valibot alone answers, in validateEvent's terms. */
function byValibot(input: unknown) {
  const result = v.safeParse(EventSchema, input, { abortPipeEarly: true });
  return result.success ? { ok: true as const, value: result.output } : { ok: false as const, errors: fieldErrors(result.issues) };
}

describe('the generated module', () => {
  it('is what the generator makes of the schema now', () => {
    expect(readFileSync(path.join(core, GENERATED_PATH), 'utf8')).toBe(validatorsModule());
  });

  it('holds no code generation and needs no runtime module', () => {
    const text = readFileSync(path.join(core, GENERATED_PATH), 'utf8');
    expect(text).not.toMatch(/\bnew Function\b|\beval\s*\(|\brequire\s*\(|\bimport\s*\(/);
  });
});

describe('the compiled event check', () => {
  afterEach(restoreCodeGeneration);

  it('takes every valid case and refuses every invalid one, with eval and new Function refused (workerd)', () => {
    const trap = forbidCodeGeneration();
    const taken = valid.map((event) => isEvent(event));
    const refused = invalid.map((event) => isEvent(event));
    trap.restore();
    expect(trap.calls).toEqual([]);
    expect(cases.valid.filter((_, i) => !taken[i]).map((c) => c.name)).toEqual([]);
    expect(cases.invalid.filter((_, i) => refused[i]).map((c) => c.name)).toEqual([]);
  });

  it('leaves to valibot what only valibot takes as it says: a record key valibot leaves out of its output', () => {
    const event = JSON.parse(JSON.stringify(build({ type: 'track', name: 'x' }))) as Obj;
    event['props'] = JSON.parse('{"__proto__": {"polluted": true}, "price": 1}');
    expect(isEvent(event)).toBe(false);
    const result = validateEvent(event);
    expect(result).toEqual(byValibot(event));
    expect(result.ok && Object.keys((result.value as { props: Obj }).props)).toEqual(['price']);
  });

  it('never takes an event valibot refuses or would answer otherwise, over events mutated at random', () => {
    const replacement = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.constantFrom(0, -1, 100, 100.5, 101, 1_577_836_800_000, 1_577_836_799_999, Number.MAX_SAFE_INTEGER, 1e309),
      fc.string(),
      fc.constantFrom('', 'a', 'abcdefg', 'abcdefgh', 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(128), 'a'.repeat(129), 'has space', 'x:y.z_-', 'ü'.repeat(40)),
      fc.constantFrom('https://shop.example/', 'HTTP://SHOP.EXAMPLE/x', 'http:x', 'https:', 'ftp://shop.example/', 'javascript:alert(1)', 'not a url', 'http://', 'https://exa mple.example/', 'http://[::1/', 'HTTPS://a b', `https://x.example/${'a'.repeat(2040)}`, 'http://[::1]/'),
      fc.constantFrom('page_view', 'click', 'scroll', 'dwell', 'impression', 'identify', 'track', 'exposure', 'hover'),
      fc.constantFrom('a.b.c', 'eyJ.eyJ.', 'a.b', 'a..c'),
      fc.array(fc.anything(), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('id', 'tag', 'url', 'category', 'slot', 'href', 'text', '__proto__', 'constructor', 'other'), fc.oneof(fc.string(), fc.integer(), fc.constant('https://a.example/')), { maxKeys: 4, noNullPrototype: true }),
      fc.anything(),
    );
    const fields = ['type', 'schemaVersion', 'eventId', 'anonymousId', 'sessionId', 'userId', 'timestamp', 'seq', 'page', 'page.url', 'page.referrer', 'page.title', 'page.pageViewId', 'page.extra',
      'element', 'element.tag', 'element.href', 'element.text', 'product', 'product.id', 'product.category', 'depth', 'activeMs', 'traits', 'token', 'name', 'props', 'actionId', 'experiment', 'variant', 'slot', 'unknownField'];
    const mutation = fc.record({ path: fc.constantFrom(...fields), value: replacement });
    const mutated = fc.tuple(fc.nat({ max: valid.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([index, changes]) => {
      const event = structuredClone(valid[index]!);
      for (const { path: at, value } of changes) {
        const [head, tail] = at.split('.') as [string, string | undefined];
        const parent = tail === undefined ? event : (event[head] as Obj | undefined);
        const key = tail ?? head;
        if (parent === null || typeof parent !== 'object') continue;
        if (value === undefined) delete parent[key];
        else parent[key] = value;
      }
      return event;
    });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.anything()), (event) => {
        const reference = byValibot(event);
        if (isEvent(event)) {
          expect(reference.ok).toBe(true);
          expect(reference.ok && reference.value).toStrictEqual(event);
        }
        expect(validateEvent(event)).toEqual(reference);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('the compiled envelope check', () => {
  it('agrees with valibot on envelopes of every shape', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.record({ events: fc.oneof(fc.array(fc.constant({}), { maxLength: 502 }), fc.anything()), sentAt: fc.oneof(fc.integer(), fc.double(), fc.string()) }, { requiredKeys: [], noNullPrototype: true }), fc.anything()),
        (input) => {
          const reference = v.safeParse(CollectBatchSchema, input);
          if (isCollectBatch(input)) {
            expect(reference.success).toBe(true);
            expect(reference.output).toStrictEqual(input);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
