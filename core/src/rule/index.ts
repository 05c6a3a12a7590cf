/** The rules capability's public face: load a rules document, decide with it. */
export { parseRules, type ParsedRules } from './parse.js';
export type { RulesError } from './condition-check.js';
export type { Condition } from './condition.js';
export {
  decide,
  recordShown,
  type DecideResult,
  type Decision,
  type DecisionContext,
  type DecisionState,
  type RuleFailure,
  type ShownRecord,
  type SignalValue,
  type Signals,
} from './decide.js';
export {
  ACTION_KINDS,
  MAX_ACTIONS_PER_RULE,
  MAX_RULES,
  RECS_STRATEGIES,
  RuleSchema,
  RulesDocumentSchema,
  type ActionKind,
  type ActionSpec,
  type RecsStrategy,
  type Rule,
  type RulesDocument,
} from './schema.js';
export { ALLOWED_OPERATORS, CONTEXT_ROOTS, type AllowedOperator } from './operators.js';
export { DEMO_RULES } from './demo-rules.js';
