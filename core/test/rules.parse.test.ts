import { describe, expect, it } from 'vitest';
import { parseRules } from '../src/rule/parse.js';
import { ALLOWED_OPERATORS } from '../src/rule/operators.js';
import { MAX_CONDITION_DEPTH } from '../src/rule/condition-check.js';
import cases from './cases/rules-parse.json' with { type: 'json' };

interface ParseCase {
  name: string;
  input: unknown;
  errors: { path: string; reason: string }[];
}

const documentWith = (when: unknown) => ({ version: 'v1', rules: [{ id: 'r1', priority: 1, when, actions: [{ kind: 'banner' }] }] });

describe('parseRules', () => {
  it.each(cases.cases as ParseCase[])('$name', ({ input, errors }) => {
    const result = parseRules(input);
    if (errors.length === 0) {
      expect(result).toMatchObject({ ok: true });
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual(errors.map((e) => e.path));
    result.errors.forEach((error, i) => expect(error.reason).toContain(errors[i]?.reason));
  });

  // One operand shape per operator that the engine accepts for it.
  const uses: Record<string, unknown> = {
    var: { var: 'signals.productViews' },
    '==': { '==': [1, 1] },
    '!=': { '!=': [1, 2] },
    '===': { '===': [1, 1] },
    '!==': { '!==': [1, 2] },
    '<': { '<': [1, 2] },
    '<=': { '<=': [1, 2, 3] },
    '>': { '>': [2, 1] },
    '>=': { '>=': [2, 1] },
    and: { and: [true, true] },
    or: { or: [false, true] },
    '!': { '!': [false] },
    '!!': { '!!': [true] },
    in: { in: ['a', ['a']] },
    '+': { '+': [1, 2] },
    '-': { '-': [3, 1] },
    '*': { '*': [2, 2] },
    '/': { '/': [4, 2] },
    max: { max: [1, 2] },
    min: { min: [1, 2] },
    some: { some: [[1], { '==': [{ var: '' }, 1] }] },
    all: { all: [[1], { '==': [{ var: '' }, 1] }] },
    none: { none: [[1], { '==': [{ var: '' }, 2] }] },
  };

  it('has an example for every allowed operator, and accepts each', () => {
    expect(Object.keys(uses).sort()).toEqual([...ALLOWED_OPERATORS].sort());
    for (const [operator, when] of Object.entries(uses)) expect(parseRules(documentWith(when)), operator).toMatchObject({ ok: true });
  });

  // JSON Logic operators json-logic-engine 5 knows that are left out on purpose.
  it.each(['if', '?:', 'cat', 'substr', 'merge', 'map', 'filter', 'reduce', 'missing', 'missing_some', 'preserve', 'throw', 'try', '??', 'val', 'get', 'exists', 'keys', 'pipe', 'eachKey', 'length', '%', 'every', 'log'])(
    'refuses the operator %s at the condition',
    (operator) => {
      const result = parseRules(documentWith({ and: [true, { [operator]: [1, 2] }] }));
      expect(result).toEqual({ ok: false, errors: [{ path: 'rules.0.when.and.1', reason: expect.stringContaining(`"${operator}"`) }] });
    },
  );

  it(`refuses a condition nested deeper than ${MAX_CONDITION_DEPTH} levels`, () => {
    let when: unknown = true;
    for (let i = 0; i < 40; i++) when = { '!': [when] };
    const result = parseRules(documentWith(when));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.reason).toContain('deeper');
  });

  it('returns a frozen copy that later changes to the input cannot reach', () => {
    const input = documentWith({ '>=': [{ var: 'signals.productViews' }, 3] });
    const result = parseRules(input);
    if (!result.ok) throw new Error('expected the document to parse');
    input.rules[0]!.id = 'changed';
    (input.rules[0]!.when as { '>=': unknown[] })['>='][1] = 99;
    expect(result.rules.rules[0]?.id).toBe('r1');
    expect(result.rules.rules[0]?.when).toEqual({ '>=': [{ var: 'signals.productViews' }, 3] });
    expect(Object.isFrozen(result.rules.rules[0]?.when)).toBe(true);
  });
});
