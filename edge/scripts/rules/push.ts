/**
 * `npm run rules:push -- <file.json> [--env staging|production] [--local] [--persist-to <dir>]`:
 * validates the file, then writes it to the RULES KV namespace under the key
 * `rules` with wrangler. Without --env it writes wrangler's local store (what
 * `wrangler dev` reads); with --env, the deployed namespace of that environment.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { RULES_KEY } from '../../src/rules/document.js';
import { EXIT_REFUSED, EXIT_USAGE, UsageError, describeDocument, loadRulesFile, type CliIo } from './cli.js';

export const PUSH_USAGE = 'usage: npm run rules:push -- <file.json> [--env staging|production] [--local] [--persist-to <dir>]';
export const DEPLOYED_ENVS = ['staging', 'production'] as const;
export type DeployedEnv = (typeof DEPLOYED_ENVS)[number];

export interface PushTarget {
  /** The document's file, absolute. */
  path: string;
  /** A deployed environment's namespace; absent: the top-level (local) one. */
  env?: DeployedEnv;
  /** wrangler's local store rather than Cloudflare's. */
  local: boolean;
  /** The local store's directory, as given to `wrangler dev --persist-to`. */
  persistTo?: string;
}

/** The wrangler command line (after `wrangler`) that writes the document. */
export function wranglerPutArgs(target: PushTarget): string[] {
  const args = ['kv', 'key', 'put', RULES_KEY, '--path', target.path, '--binding', 'RULES'];
  args.push(target.local ? '--local' : '--remote');
  if (target.env !== undefined) args.push('--env', target.env);
  if (target.persistTo !== undefined) args.push('--persist-to', target.persistTo);
  return args;
}

/** Runs wrangler with these arguments in edge/ (where wrangler.toml is); resolves to its exit code. */
export type RunWrangler = (args: readonly string[]) => Promise<number>;

export async function pushCommand(args: readonly string[], io: CliIo, runWrangler: RunWrangler): Promise<number> {
  let file: string;
  let target: Omit<PushTarget, 'path'>;
  try {
    ({ file, target } = parsePushArgs(args, io.cwd));
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
    io.err(`rules:push: ${err.message}`);
    io.err(PUSH_USAGE);
    return EXIT_USAGE;
  }
  const loaded = await loadRulesFile(file, io);
  if (!loaded.ok) {
    io.err(`rules:push: ${file} is refused; nothing was pushed`);
    return EXIT_REFUSED;
  }
  const where = target.local
    ? `the local KV store${target.env ? ` of env ${target.env}` : ''}${target.persistTo ? ` in ${target.persistTo}` : ''}`
    : `the RULES namespace of env ${target.env}`;
  const wranglerArgs = wranglerPutArgs({ ...target, path: loaded.path });
  io.out(`ok: ${describeDocument(loaded.rules)}`);
  io.out(`$ wrangler ${wranglerArgs.join(' ')}`);
  const code = await runWrangler(wranglerArgs);
  if (code !== 0) {
    io.err(`rules:push: wrangler exited with ${code}; the document was not pushed`);
    return code;
  }
  io.out(`pushed version ${loaded.rules.version} to ${where} (key "${RULES_KEY}")`);
  io.out(
    target.local
      ? 'a running `wrangler dev` serves it within 10 s (the store re-reads KV every 10 s)'
      : 'the deployed Worker serves it within about 70 s (KV caches reads up to 60 s, the store re-reads every 10 s)',
  );
  return 0;
}

function parsePushArgs(args: readonly string[], cwd: string): { file: string; target: Omit<PushTarget, 'path'> } {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { env: { type: 'string' }, local: { type: 'boolean' }, 'persist-to': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no file given' : 'one file at a time');
  const env = values.env;
  if (env !== undefined && !isDeployedEnv(env)) throw new UsageError(`--env must be ${DEPLOYED_ENVS.join(' or ')}, not "${env}"`);
  const local = values.local === true || env === undefined;
  const persistTo = values['persist-to'];
  if (persistTo !== undefined && !local) throw new UsageError('--persist-to is for the local store: add --local or leave out --env');
  return {
    file: positionals[0]!,
    target: { local, ...(env !== undefined && { env }), ...(persistTo !== undefined && { persistTo: resolve(cwd, persistTo) }) },
  };
}

function isDeployedEnv(value: string): value is DeployedEnv {
  return (DEPLOYED_ENVS as readonly string[]).includes(value);
}
