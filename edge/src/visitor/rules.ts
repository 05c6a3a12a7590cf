/**
 * The rules a visitor's decisions use. The KV-backed, hot-reloaded store
 * (src/rules/) replaces the built-in demo document here once it is wired.
 */
import { DEMO_RULES, type RulesDocument } from '@sessionflow/core';
import type { EdgeBindings } from '../env.js';

export async function rulesFor(_env: EdgeBindings): Promise<RulesDocument> {
  return DEMO_RULES;
}
