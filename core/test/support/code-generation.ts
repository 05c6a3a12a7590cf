/**
 * workerd refuses eval and new Function. `forbidCodeGeneration` replaces both
 * with stubs that record each call and throw, until `restore()` (call it in an
 * afterEach too, so a failing test cannot leave them in place). The record
 * matters as much as the throw: a library may swallow the failure.
 */
export interface CodeGenerationTrap {
  /** The calls the stubs refused, in order. */
  readonly calls: string[];
  restore(): void;
}

const realEval = globalThis.eval;
const realFunction = globalThis.Function;

export function forbidCodeGeneration(): CodeGenerationTrap {
  const calls: string[] = [];
  globalThis.eval = ((source: string) => {
    calls.push(`eval(${String(source).slice(0, 40)})`);
    throw new EvalError('eval is not allowed in workerd');
  }) as typeof globalThis.eval;
  globalThis.Function = function forbidden() {
    calls.push('Function');
    throw new EvalError('new Function is not allowed in workerd');
  } as unknown as FunctionConstructor;
  return { calls, restore: restoreCodeGeneration };
}

export function restoreCodeGeneration(): void {
  globalThis.eval = realEval;
  globalThis.Function = realFunction;
}
