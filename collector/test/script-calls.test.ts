/**
 * No script in the code base runs with undeclared keys. Every TypeScript file
 * of the collector, the benchmarks, infra and the end-to-end tests is parsed
 * with the TypeScript compiler, and every call that runs a Lua script is
 * found: `runScript(…)`, node-redis' `eval`/`evalSha` (and their read-only
 * and FCALL kin), `sendCommand(…)`, and 'EVAL'/'EVALSHA' written as a
 * command's name. What must hold:
 *
 * - only the store adapters (src/store/single.ts, and cluster.ts when there is
 *   one) send EVAL or EVALSHA to Redis, and each refuses an empty key list
 *   before it sends (checked in the source, and on single.ts with a fake
 *   node-redis client);
 * - every other script runs through `runScript(script, keys, args)`, whose
 *   keys are not an empty array literal;
 * - nowhere does a numkeys of 0 follow an 'EVAL' or 'EVALSHA'.
 *
 * The checker is run on small inline sources too, so it is seen to fail.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../src/log.js';
import { createSingleStore } from '../src/store/single.js';
import { storeScript } from '../src/store/client.js';

/** What the fake node-redis client was sent; EVALSHA answers NOSCRIPT while `noScript` holds. */
const fakeRedis = vi.hoisted(() => ({ sent: [] as string[][], noScript: false }));
vi.mock('redis', () => ({
  createClient: () => ({
    on: () => undefined,
    sendCommand: async (args: string[]) => {
      fakeRedis.sent.push(args);
      if (args[0] === 'EVALSHA' && fakeRedis.noScript) throw new Error('NOSCRIPT No matching script. Please use EVAL.');
      return ['done'];
    },
  }),
}));

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The files whose scripts run against the deployment's Redis. */
const SCANNED_ROOTS = ['collector/src', 'bench/src', 'infra/src', 'test/e2e'];
/** Where the numkeys rule applies: everywhere TypeScript is, tests included. */
const NUMKEYS_ROOTS = [...SCANNED_ROOTS, 'collector/test', 'bench/test', 'infra/test'];
/** The store adapters: the one place EVAL and EVALSHA may be sent from. */
const ADAPTERS = new Set(['collector/src/store/single.ts', 'collector/src/store/cluster.ts']);

/** Redis commands that run a script. */
const SCRIPT_COMMANDS = new Set(['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO']);
/** node-redis methods that run a script. */
const SCRIPT_METHODS = new Set(['eval', 'evalSha', 'evalRo', 'evalShaRo', 'fCall', 'fCallRo', 'EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO']);

type Rule =
  /** A script command or method outside the store adapters. */
  | 'script-outside-adapter'
  /** sendCommand with a command the source does not show: it may run a script. */
  | 'unknown-command-outside-adapter'
  /** runScript without its three arguments (script, keys, args). */
  | 'runScript-shape'
  /** runScript with `[]` as its keys. */
  | 'runScript-no-keys'
  /** A numkeys of 0 after EVAL or EVALSHA. */
  | 'numkeys-0'
  /** An adapter sends EVAL/EVALSHA from a function that does not first refuse an empty key list. */
  | 'adapter-takes-no-keys';

interface Finding {
  file: string;
  line: number;
  rule: Rule;
  text: string;
}

interface ScriptCall {
  file: string;
  line: number;
  kind: 'runScript' | 'eval-command' | 'eval-method';
}

/** `[]`, `([])`, `[] as string[]`, `<string[]>[]`, `[] satisfies …`: an empty array literal, however wrapped. */
function isEmptyArrayLiteral(node: ts.Expression | undefined): boolean {
  let e = node;
  while (e !== undefined && (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e))) e = e.expression;
  return e !== undefined && ts.isArrayLiteralExpression(e) && e.elements.length === 0;
}

function stringValue(node: ts.Node | undefined): string | undefined {
  return node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

function isZero(node: ts.Node | undefined): boolean {
  return stringValue(node) === '0' || (node !== undefined && ts.isNumericLiteral(node) && Number(node.text) === 0);
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isElementAccessExpression(callee)) return stringValue(callee.argumentExpression);
  return undefined;
}

function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  for (let n = node.parent; n !== undefined; n = n.parent) {
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n)) return n;
  }
  return undefined;
}

/** True when `fn` throws on an empty key list (`if (keys.length === 0) throw …`) before `at`. */
function refusesNoKeysBefore(fn: ts.SignatureDeclaration, at: ts.Node, source: ts.SourceFile): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found || node.getStart(source) >= at.getStart(source)) return;
    if (ts.isIfStatement(node) && /\.length\s*===?\s*0\b|!\s*\w+\.length\b|\.length\s*<\s*1\b/.test(node.expression.getText(source))) {
      const then = node.thenStatement;
      const throws = ts.isThrowStatement(then) || (ts.isBlock(then) && then.statements.some(ts.isThrowStatement));
      if (throws) found = true;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn, visit);
  return found;
}

/** Every script call in one source, and what breaks the rules. */
function scanSource(file: string, text: string, adapter: boolean): { calls: ScriptCall[]; findings: Finding[] } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const calls: ScriptCall[] = [];
  const findings: Finding[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const find = (node: ts.Node, rule: Rule) => findings.push({ file, line: lineOf(node), rule, text: node.getText(source).slice(0, 120) });

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      if (name === 'runScript' && !adapter) {
        calls.push({ file, line: lineOf(node), kind: 'runScript' });
        if (node.arguments.length !== 3) find(node, 'runScript-shape');
        else if (isEmptyArrayLiteral(node.arguments[1])) find(node, 'runScript-no-keys');
      }
      if (name !== undefined && SCRIPT_METHODS.has(name) && (ts.isPropertyAccessExpression(node.expression) || ts.isElementAccessExpression(node.expression))) {
        calls.push({ file, line: lineOf(node), kind: 'eval-method' });
        if (!adapter) find(node, 'script-outside-adapter');
        if (isZero(node.arguments[1])) find(node, 'numkeys-0');
      }
      if (name === 'sendCommand' && !adapter) {
        const [command] = node.arguments;
        const named = command !== undefined && ts.isArrayLiteralExpression(command) && stringValue(command.elements[0]) !== undefined;
        // A command named in the source is judged by its name below; one built elsewhere cannot be shown to run no script.
        if (!named) find(node, 'unknown-command-outside-adapter');
      }
    }
    if (ts.isArrayLiteralExpression(node)) {
      node.elements.forEach((element, i) => {
        const name = stringValue(element)?.toUpperCase();
        if (name === undefined || !SCRIPT_COMMANDS.has(name)) return;
        if (isZero(node.elements[i + 2])) find(node, 'numkeys-0');
        if (i !== 0) return;
        calls.push({ file, line: lineOf(node), kind: 'eval-command' });
        if (!adapter) {
          find(node, 'script-outside-adapter');
          return;
        }
        const fn = enclosingFunction(node);
        if (fn === undefined || !refusesNoKeysBefore(fn, node, source)) find(node, 'adapter-takes-no-keys');
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { calls, findings };
}

function typeScriptFiles(root: string): string[] {
  const at = join(REPO, root);
  let entries: string[];
  try {
    entries = readdirSync(at);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const path = join(at, name);
    if (statSync(path).isDirectory()) return typeScriptFiles(relative(REPO, path));
    return /\.(m|c)?tsx?$/.test(name) && !name.endsWith('.d.ts') ? [relative(REPO, path)] : [];
  });
}

function scanRoots(roots: readonly string[]): { calls: ScriptCall[]; findings: Finding[]; files: number } {
  const files = [...new Set(roots.flatMap(typeScriptFiles))];
  const calls: ScriptCall[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    const scanned = scanSource(file, readFileSync(join(REPO, file), 'utf8'), ADAPTERS.has(file));
    calls.push(...scanned.calls);
    findings.push(...scanned.findings);
  }
  return { calls, findings, files: files.length };
}

describe('the script-call checker', () => {
  const rules = (text: string, adapter = false) => scanSource('inline.ts', text, adapter).findings.map((f) => f.rule).sort();

  it('reports EVAL sent outside the adapters, and a numkeys of 0 after it', () => {
    expect(rules(`await redis.sendCommand(['EVAL', SCRIPT, '0', ...keys]);`)).toEqual(['numkeys-0', 'script-outside-adapter']);
    expect(rules(`commands.push(['evalsha', sha, 0, key]);`)).toEqual(['numkeys-0', 'script-outside-adapter']);
    expect(rules(`multi.addCommand(['EVALSHA', sha, String(keys.length), ...keys]);`)).toEqual(['script-outside-adapter']);
  });

  it("reports node-redis' script methods outside the adapters", () => {
    expect(rules(`await redis.eval(SCRIPT, { keys: [key] });`)).toEqual(['script-outside-adapter']);
    expect(rules(`await client.evalSha(sha, 0);`)).toEqual(['numkeys-0', 'script-outside-adapter']);
    expect(rules(`await client['fCall']('f', { keys: [k] });`)).toEqual(['script-outside-adapter']);
    // JavaScript's own eval is no Redis call.
    expect(rules(`eval('1 + 1');`)).toEqual([]);
    expect(rules(`await client.fCall('f', { keys: [k] });`)).toEqual(['script-outside-adapter']);
  });

  it('reports runScript without keys, or without its three arguments', () => {
    expect(rules(`await redis.runScript(SCRIPT, [], args);`)).toEqual(['runScript-no-keys']);
    expect(rules(`await redis.runScript(SCRIPT, [] as string[], args);`)).toEqual(['runScript-no-keys']);
    expect(rules(`await redis.runScript(SCRIPT, args);`)).toEqual(['runScript-shape']);
  });

  it('reports a command it cannot read outside the adapters', () => {
    expect(rules(`await redis.sendCommand(command);`)).toEqual(['unknown-command-outside-adapter']);
    expect(rules(`await redis.sendCommand([name, key]);`)).toEqual(['unknown-command-outside-adapter']);
  });

  it('reports an adapter that sends a script without first refusing an empty key list, or with a numkeys of 0', () => {
    const guarded = `async function run(c, s, keys, args) {
      if (keys.length === 0) throw new Error('declare the keys');
      return c.sendCommand(['EVALSHA', s.sha, String(keys.length), ...keys, ...args]);
    }`;
    expect(rules(guarded, true)).toEqual([]);
    expect(rules(guarded.replace("if (keys.length === 0) throw new Error('declare the keys');", ''), true)).toEqual(['adapter-takes-no-keys']);
    // A check after the send is too late.
    expect(rules(`async function run(c, s, keys) { const r = await c.sendCommand(['EVAL', s.text, String(keys.length), ...keys]); if (keys.length === 0) throw new Error('x'); return r; }`, true)).toEqual(['adapter-takes-no-keys']);
    expect(rules(guarded.replace('String(keys.length)', "'0'"), true)).toEqual(['numkeys-0']);
  });

  it('passes what runs no script, and a script with its keys', () => {
    expect(rules(`if (command[0] === 'EVAL') skip(); const name = 'EVAL'; await redis.runScript(SCRIPT, keysOf, []); await redis.sendCommand(['PFADD', key, 'a']);`)).toEqual([]);
  });
});

describe('the code base', () => {
  // It parses every source file of the repository: seconds on a busy machine.
  it('runs no script outside the store adapters, and none without keys', { timeout: 60_000 }, () => {
    const { calls, findings, files } = scanRoots(SCANNED_ROOTS);
    expect(findings).toEqual([]);
    expect(files).toBeGreaterThan(100);
    // The scan sees the script calls there are: the batch, the marker restore, the recommendations' session reads, and the adapter's sends.
    const callers = new Set(calls.map((c) => `${c.file}:${c.kind}`));
    for (const expected of [
      'collector/src/store/guarded-batch.ts:runScript',
      'collector/src/erasure/marks-follower.ts:runScript',
      'collector/src/read/recs/redis-recs-store.ts:runScript',
      'collector/src/store/single.ts:eval-command',
    ]) {
      expect(callers).toContain(expected);
    }
    // EVAL and EVALSHA are sent from the adapters only.
    expect(new Set(calls.filter((c) => c.kind !== 'runScript').map((c) => c.file)).size).toBeGreaterThan(0);
    expect(calls.filter((c) => c.kind !== 'runScript' && !ADAPTERS.has(c.file))).toEqual([]);
  });

  it('follows no EVAL or EVALSHA with a numkeys of 0, tests included', { timeout: 60_000 }, () => {
    const { findings, files } = scanRoots(NUMKEYS_ROOTS);
    expect(files).toBeGreaterThan(150);
    expect(findings.filter((f) => f.rule === 'numkeys-0')).toEqual([]);
  });
});

describe('the single-Redis adapter', () => {
  const store = () => createSingleStore('redis://localhost:1', createLogger('error', () => undefined), {});
  const script = storeScript('return redis.call("GET", KEYS[1])');

  it('refuses a script that declares no keys, and sends nothing', async () => {
    fakeRedis.sent.length = 0;
    await expect(store().runScript(script, [], ['a'])).rejects.toThrow(/declare the keys/);
    expect(fakeRedis.sent).toEqual([]);
  });

  it('sends the declared keys and their count, by EVALSHA, and by EVAL once Redis does not know the script', async () => {
    fakeRedis.sent.length = 0;
    fakeRedis.noScript = false;
    await store().runScript(script, ['{p}a', '{p}b'], ['x']);
    expect(fakeRedis.sent).toEqual([['EVALSHA', script.sha, '2', '{p}a', '{p}b', 'x']]);
    fakeRedis.sent.length = 0;
    fakeRedis.noScript = true;
    await store().runScript(script, ['{p}a'], []);
    expect(fakeRedis.sent).toEqual([
      ['EVALSHA', script.sha, '1', '{p}a'],
      ['EVAL', script.text, '1', '{p}a'],
    ]);
    fakeRedis.noScript = false;
  });
});
