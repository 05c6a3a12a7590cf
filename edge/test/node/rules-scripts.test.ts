/**
 * The rules scripts, run in-process with their output captured: exit codes,
 * what they print, and the wrangler command line the push would run.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_RULES } from '@sessionflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../scripts/rules/cli.js';
import { pushCommand, wranglerPutArgs } from '../../scripts/rules/push.js';
import { validateCommand } from '../../scripts/rules/validate.js';

const DEMO_FILE = fileURLToPath(new URL('../../rules/demo.json', import.meta.url));

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sf-rules-'));
  await writeFile(
    join(dir, 'good.json'),
    JSON.stringify({
      version: '2025-06-01.1',
      rules: [
        { id: 'a', priority: 2, when: { '>=': [{ var: 'signals.productViews' }, 3] }, actions: [{ kind: 'banner', title: 'A' }] },
        { id: 'b', priority: 1, when: { '!!': [{ var: 'page.productId' }] }, actions: [{ kind: 'recs', strategy: 'popular' }] },
      ],
    }),
  );
  await writeFile(
    join(dir, 'bad.json'),
    JSON.stringify({
      version: '2025-06-01.2',
      rules: [
        { id: 'a', priority: 2, when: { '>=': [{ var: 'signals.productViews' }, 3] }, actions: [{ kind: 'banner', title: 'A' }] },
        { id: 'b', priority: 'high', when: { eval: ['1'] }, actions: [] },
      ],
    }),
  );
  await writeFile(join(dir, 'not-json.json'), '{"version": "x", ');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function captured(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    cwd: dir,
    readFile: (path) => readFile(path, 'utf8'),
  };
}

describe('rules/demo.json', () => {
  it('is the demo rules document, DEMO_RULES', async () => {
    const file: unknown = JSON.parse(await readFile(DEMO_FILE, 'utf8'));
    expect(JSON.stringify(file)).toBe(JSON.stringify(DEMO_RULES));
  });
});

describe('rules:validate', () => {
  it('accepts a good file (relative to where it was run), exit 0', async () => {
    const io = captured();
    expect(await validateCommand(['good.json'], io)).toBe(0);
    expect(io.stdout).toEqual(['ok: 2 rules, version 2025-06-01.1']);
    expect(io.stderr).toEqual([]);
  });

  it('accepts the demo document', async () => {
    const io = captured();
    expect(await validateCommand([DEMO_FILE], io)).toBe(0);
    expect(io.stdout).toEqual([`ok: ${DEMO_RULES.rules.length} rules, version demo-1`]);
  });

  it('lists every error of a bad file as <path>: <reason>, exit 1', async () => {
    const io = captured();
    expect(await validateCommand(['bad.json'], io)).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr).toHaveLength(3);
    expect(io.stderr).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rules\.1\.priority: /),
        expect.stringMatching(/^rules\.1\.when: .*"eval"/),
        expect.stringMatching(/^rules\.1\.actions: /),
      ]),
    );
  });

  it('refuses text that is not JSON, exit 1', async () => {
    const io = captured();
    expect(await validateCommand(['not-json.json'], io)).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(/^\(document\): is not JSON/)]);
  });

  it('says when the file cannot be read, exit 1', async () => {
    const io = captured();
    expect(await validateCommand(['missing.json'], io)).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(/^missing\.json: cannot be read/)]);
  });

  it.each([[[]], [['good.json', 'bad.json']], [['--strict', 'good.json']]])('answers %j with the usage line, exit 2', async (args) => {
    const io = captured();
    expect(await validateCommand(args, io)).toBe(2);
    expect(io.stderr.at(-1)).toBe('usage: npm run rules:validate -- <file.json>');
    expect(io.stdout).toEqual([]);
  });
});

describe('rules:push', () => {
  function recordingWrangler(exitCode = 0) {
    const calls: string[][] = [];
    return { calls, run: async (args: readonly string[]) => (calls.push([...args]), exitCode) };
  }

  it('writes to the local store by default', async () => {
    const io = captured();
    const wrangler = recordingWrangler();
    expect(await pushCommand(['good.json'], io, wrangler.run)).toBe(0);
    expect(wrangler.calls).toEqual([['kv', 'key', 'put', 'rules', '--path', join(dir, 'good.json'), '--binding', 'RULES', '--local']]);
    expect(io.stdout[0]).toBe('ok: 2 rules, version 2025-06-01.1');
    expect(io.stdout.join('\n')).toContain('pushed version 2025-06-01.1 to the local KV store');
  });

  it('writes to a deployed environment remotely with --env', async () => {
    const io = captured();
    const wrangler = recordingWrangler();
    expect(await pushCommand(['good.json', '--env', 'production'], io, wrangler.run)).toBe(0);
    expect(wrangler.calls).toEqual([
      ['kv', 'key', 'put', 'rules', '--path', join(dir, 'good.json'), '--binding', 'RULES', '--remote', '--env', 'production'],
    ]);
    expect(io.stdout.join('\n')).toContain('env production');
  });

  it('writes an environment\'s local store with --env and --local, and a chosen persist directory', async () => {
    const wrangler = recordingWrangler();
    expect(await pushCommand(['--env', 'staging', '--local', 'good.json', '--persist-to', 'state'], captured(), wrangler.run)).toBe(0);
    expect(wrangler.calls[0]?.slice(7)).toEqual(['RULES', '--local', '--env', 'staging', '--persist-to', join(dir, 'state')]);
  });

  it('refuses a bad file without running wrangler, exit 1', async () => {
    const io = captured();
    const wrangler = recordingWrangler();
    expect(await pushCommand(['bad.json', '--env', 'staging'], io, wrangler.run)).toBe(1);
    expect(wrangler.calls).toEqual([]);
    expect(io.stderr).toEqual(expect.arrayContaining([expect.stringMatching(/^rules\.1\.priority: /)]));
    expect(io.stderr.at(-1)).toContain('nothing was pushed');
  });

  it.each([
    [['good.json', '--env', 'dev']],
    [['good.json', '--env']],
    [['--local']],
    [['good.json', '--env', 'production', '--persist-to', 'state']],
    [['good.json', '--remote']],
  ])('answers %j with the usage line and runs nothing, exit 2', async (args) => {
    const io = captured();
    const wrangler = recordingWrangler();
    expect(await pushCommand(args, io, wrangler.run)).toBe(2);
    expect(wrangler.calls).toEqual([]);
    expect(io.stderr.at(-1)).toMatch(/^usage: npm run rules:push -- <file\.json> \[--env staging\|production\] \[--local\]/);
  });

  it('passes on wrangler\'s failure', async () => {
    const io = captured();
    expect(await pushCommand(['good.json'], io, recordingWrangler(3).run)).toBe(3);
    expect(io.stderr.at(-1)).toContain('wrangler exited with 3');
    expect(io.stdout.join('\n')).not.toContain('pushed version');
  });
});

describe('wranglerPutArgs', () => {
  it('builds the remote command for an environment', () => {
    expect(wranglerPutArgs({ path: '/r/rules.json', env: 'staging', local: false })).toEqual([
      'kv', 'key', 'put', 'rules', '--path', '/r/rules.json', '--binding', 'RULES', '--remote', '--env', 'staging',
    ]);
  });
});
