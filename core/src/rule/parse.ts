/**
 * Loading a rules document: schema, conditions, unique ids, all checked at
 * once so one `rules:validate` run lists every problem with its path. A
 * document that fails is refused whole; the caller keeps serving the previous one.
 */
import * as v from 'valibot';
import { conditionErrors, isPlainObject, type RulesError } from './condition-check.js';
import { RulesDocumentSchema, type RulesDocument } from './schema.js';

export type ParsedRules = { ok: true; rules: RulesDocument } | { ok: false; errors: RulesError[] };

export function parseRules(input: unknown): ParsedRules {
  const result = v.safeParse(RulesDocumentSchema, input, { abortPipeEarly: true });
  const errors = result.success ? [] : result.issues.map(toRulesError);
  errors.push(...expressionErrors(input, errors), ...duplicateIdErrors(input));
  if (!result.success || errors.length > 0) return { ok: false, errors };
  // A private, frozen, JSON-only copy: the engine caches its work per condition
  // object, which is only sound if nobody can change a condition afterwards.
  return { ok: true, rules: deepFreeze(JSON.parse(JSON.stringify(result.output)) as RulesDocument) };
}

function toRulesError(issue: v.BaseIssue<unknown>): RulesError {
  const path = issue.path?.map((item) => String(item.key)).join('.');
  return { path: path && path.length > 0 ? path : '(document)', reason: reasonOf(issue) };
}

/** valibot words a missing or unknown key as "Invalid key: …"; say it the way an author thinks of it. */
function reasonOf(issue: v.BaseIssue<unknown>): string {
  const objectIssue = issue.kind === 'schema' && (issue.type === 'object' || issue.type === 'strict_object');
  if (objectIssue && issue.expected === 'never') return 'is not a field here';
  if (objectIssue && issue.input === undefined && issue.expected?.startsWith('"')) return 'is required';
  return issue.message;
}

/** The conditions (and computed product ids) of every rule the schema could read, walked even when other fields are wrong. */
function expressionErrors(input: unknown, schemaErrors: readonly RulesError[]): RulesError[] {
  const errors: RulesError[] = [];
  const reported = new Set(schemaErrors.map((e) => e.path));
  const check = (node: unknown, path: string) => {
    if (isPlainObject(node) && !reported.has(path)) errors.push(...conditionErrors(node, path));
  };
  rulesOf(input).forEach((rule, i) => {
    if (!isPlainObject(rule)) return;
    check(rule.when, `rules.${i}.when`);
    if (!Array.isArray(rule.actions)) return;
    rule.actions.forEach((action: unknown, n) => {
      if (isPlainObject(action)) check(action.productId, `rules.${i}.actions.${n}.productId`);
    });
  });
  return errors;
}

function duplicateIdErrors(input: unknown): RulesError[] {
  const firstAt = new Map<string, number>();
  const errors: RulesError[] = [];
  rulesOf(input).forEach((rule, i) => {
    const id = isPlainObject(rule) ? rule.id : undefined;
    if (typeof id !== 'string') return;
    const first = firstAt.get(id);
    if (first === undefined) firstAt.set(id, i);
    else errors.push({ path: `rules.${i}.id`, reason: `duplicates the rule id "${id}" of rules.${first}` });
  });
  return errors;
}

function rulesOf(input: unknown): readonly unknown[] {
  return isPlainObject(input) && Array.isArray(input.rules) ? input.rules : [];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
