/**
 * What the rules scripts need from the machine, passed in so the tests run
 * them in-process: where output goes, the directory paths are relative to,
 * and how a file is read.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RulesDocument } from '@sessionflow/core';
import { describeRulesError, rulesFromText } from '../../src/rules/document.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Where relative file arguments start from. */
  cwd: string;
  readFile(path: string): Promise<string>;
}

export function nodeIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    // `npm run -w edge` runs the script in edge/; INIT_CWD is where the user typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
    readFile: (path) => readFile(path, 'utf8'),
  };
}

/** Exit codes: 1 the document is refused (or unreadable), 2 the command line is wrong. */
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export type LoadedRules = { ok: true; path: string; rules: RulesDocument } | { ok: false; path: string };

/** Reads and validates a rules file, printing each error as `<path>: <reason>` on stderr. */
export async function loadRulesFile(file: string, io: CliIo): Promise<LoadedRules> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (err) {
    io.err(`${file}: cannot be read (${err instanceof Error ? err.message : String(err)})`);
    return { ok: false, path };
  }
  const parsed = rulesFromText(text);
  if (!parsed.ok) {
    for (const error of parsed.errors) io.err(describeRulesError(error));
    return { ok: false, path };
  }
  return { ok: true, path, rules: parsed.rules };
}

export function describeDocument(rules: RulesDocument): string {
  return `${rules.rules.length} rules, version ${rules.version}`;
}
