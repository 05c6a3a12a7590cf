/**
 * The load-time check of a condition: every operator on the allow-list, the
 * shape each operator needs, `var` reading only what the decision context has.
 * A bad condition is refused here with its path, instead of failing (or worse,
 * quietly never firing) on every visitor later.
 */
import { ALLOWED_OPERATORS, COMPARISONS, CONTEXT_ROOTS, ITERATIONS, isAllowedOperator } from './operators.js';

export interface RulesError {
  /** Dotted path into the rules document, e.g. `rules.2.when.and.0`; `(document)` for the document itself. */
  path: string;
  reason: string;
}

/** Deeper than any condition a person writes; stops a hostile document from exhausting the stack. */
export const MAX_CONDITION_DEPTH = 32;

const comparisons: ReadonlySet<string> = new Set(COMPARISONS);
const iterations: ReadonlySet<string> = new Set(ITERATIONS);
const roots: ReadonlySet<string> = new Set(CONTEXT_ROOTS);

/** Where `var` reads from: the decision context, or the current item inside `some`/`all`/`none`. */
type Scope = 'context' | 'item';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function conditionErrors(node: unknown, path: string): RulesError[] {
  const errors: RulesError[] = [];
  walk(node, path, 'context', 0, errors);
  return errors;
}

function walk(node: unknown, path: string, scope: Scope, depth: number, errors: RulesError[]): void {
  if (depth > MAX_CONDITION_DEPTH) {
    errors.push({ path, reason: `nests deeper than ${MAX_CONDITION_DEPTH} levels` });
    return;
  }
  if (node === null || typeof node === 'string' || typeof node === 'boolean') return;
  if (typeof node === 'number') {
    if (!Number.isFinite(node)) errors.push({ path, reason: 'must be a finite number' });
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((item, index) => walk(item, `${path}.${index}`, scope, depth + 1, errors));
    return;
  }
  if (!isPlainObject(node)) {
    errors.push({ path, reason: 'must be JSON: null, a boolean, a number, a string, an array or an operation' });
    return;
  }
  const keys = Object.keys(node);
  const operator = keys[0];
  if (keys.length !== 1 || operator === undefined) {
    errors.push({ path, reason: 'must be an operation with exactly one operator, e.g. {">=": [{"var": "signals.productViews"}, 3]}' });
    return;
  }
  if (!isAllowedOperator(operator)) {
    errors.push({ path, reason: `uses the operator "${operator}", which is not allowed (allowed: ${ALLOWED_OPERATORS.join(' ')})` });
    return;
  }
  const args = node[operator];
  const argsPath = `${path}.${operator}`;

  if (operator === 'var') {
    checkVar(args, argsPath, scope, depth, errors);
    return;
  }
  if (iterations.has(operator)) {
    if (!Array.isArray(args) || args.length !== 2) {
      errors.push({ path: argsPath, reason: `must be [array, condition on each item]` });
      return;
    }
    walk(args[0], `${argsPath}.0`, scope, depth + 1, errors);
    walk(args[1], `${argsPath}.1`, 'item', depth + 1, errors);
    return;
  }
  if (comparisons.has(operator) && (!Array.isArray(args) || args.length < 2 || args.length > 3)) {
    errors.push({ path: argsPath, reason: 'must be an array of two values (or three, for a range)' });
    return;
  }
  if ((operator === 'and' || operator === 'or') && (!Array.isArray(args) || args.length === 0)) {
    errors.push({ path: argsPath, reason: 'must be a non-empty array of conditions' });
    return;
  }
  walk(args, argsPath, scope, depth + 1, errors);
}

function checkVar(args: unknown, path: string, scope: Scope, depth: number, errors: RulesError[]): void {
  const [name, fallback] = Array.isArray(args) ? args : [args];
  if (Array.isArray(args) && (args.length < 1 || args.length > 2)) {
    errors.push({ path, reason: 'must be a path, or [path, default]' });
    return;
  }
  if (Array.isArray(args)) walk(fallback, `${path}.1`, scope, depth + 1, errors);
  // A computed path (`{"var": {"cat": ...}}`) cannot be checked before it runs.
  if (isPlainObject(name)) {
    walk(name, Array.isArray(args) ? `${path}.0` : path, scope, depth + 1, errors);
    return;
  }
  // Inside an iteration `var` reads the item, whose shape only the data knows.
  if (scope === 'item') return;
  const root = typeof name === 'string' ? name.split('.')[0] : undefined;
  if (root === undefined || !roots.has(root)) {
    errors.push({
      path: Array.isArray(args) ? `${path}.0` : path,
      reason: `reads ${JSON.stringify(name ?? null)}; a path must start with one of ${CONTEXT_ROOTS.join(', ')} (e.g. "signals.productViews")`,
    });
  }
}
