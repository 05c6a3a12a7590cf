/**
 * The planners' own Lua scripts, each with what it declares it touches: the
 * batch's checks (../store/batch-checks.ts) refuse a script not listed here,
 * so none can write to a key whose type or values nobody checked first.
 */
import type { ScriptDeclaration } from '../store/batch-checks.js';
import { EXPERIMENT_SCRIPT } from './experiments/script.js';
import { experimentScriptTouches } from './experiments/script-touches.js';
import { PROFILE_SCRIPT } from './profiles/script.js';
import { profileScriptTouches } from './profiles/script-touches.js';

export const PLANNER_SCRIPTS: ReadonlyMap<string, ScriptDeclaration> = new Map([
  [EXPERIMENT_SCRIPT, experimentScriptTouches],
  [PROFILE_SCRIPT, profileScriptTouches],
]);
