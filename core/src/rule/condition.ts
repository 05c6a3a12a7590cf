/**
 * Evaluating a condition. workerd forbids eval and new Function, so only the
 * engine's interpreted path is used: `LogicEngine#run` turns the logic into
 * closures and calls them; `build` (which generates source text and evals it)
 * is never called. test/rules.test.ts proves it by stubbing both globals.
 */
import { LogicEngine, defaultMethods } from 'json-logic-engine';
import { ALLOWED_OPERATORS } from './operators.js';

/** A JSON Logic expression: one operator and its arguments, e.g. `{">=": [{"var": "signals.productViews"}, 3]}`. */
export type Condition = Readonly<Record<string, unknown>>;

export type Evaluated = { ok: true; value: unknown; truthy: boolean } | { ok: false; reason: string };

const methods: Record<string, unknown> = {};
for (const name of ALLOWED_OPERATORS) methods[name] = (defaultMethods as Record<string, unknown>)[name];

// One engine for the module: it holds the allow-listed operators and a WeakMap
// from each condition object to its prepared closures, so a rules document
// loaded once is prepared once. It keeps nothing about visitors.
const engine = new LogicEngine(methods, { permissive: false });

export function evaluate(condition: unknown, data: unknown): Evaluated {
  try {
    const value: unknown = engine.run(condition, data);
    return { ok: true, value, truthy: Boolean(engine.truthy(value)) };
  } catch (thrown) {
    return { ok: false, reason: describeFailure(thrown) };
  }
}

/** The engine throws NaN, `{type}` records and Errors; put each into words. */
function describeFailure(thrown: unknown): string {
  if (typeof thrown === 'number' && Number.isNaN(thrown)) return 'a comparison or arithmetic got a value that is not a number';
  if (thrown instanceof Error) return thrown.message;
  if (thrown !== null && typeof thrown === 'object' && 'type' in thrown) {
    const { type, key } = thrown as { type: unknown; key?: unknown };
    return key === undefined ? String(type) : `${String(type)}: ${String(key)}`;
  }
  return String(thrown);
}
