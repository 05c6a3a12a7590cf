/** `npm run rules:validate -- <file.json>`: core's parseRules over a file, every error with its path. */
import { parseArgs } from 'node:util';
import { EXIT_REFUSED, EXIT_USAGE, describeDocument, loadRulesFile, type CliIo } from './cli.js';

export const VALIDATE_USAGE = 'usage: npm run rules:validate -- <file.json>';

export async function validateCommand(args: readonly string[], io: CliIo): Promise<number> {
  let file: string;
  try {
    const { positionals } = parseArgs({ args: [...args], options: {}, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw new Error(positionals.length === 0 ? 'no file given' : 'one file at a time');
    file = positionals[0]!;
  } catch (err) {
    io.err(`rules:validate: ${err instanceof Error ? err.message : String(err)}`);
    io.err(VALIDATE_USAGE);
    return EXIT_USAGE;
  }
  const loaded = await loadRulesFile(file, io);
  if (!loaded.ok) return EXIT_REFUSED;
  io.out(`ok: ${describeDocument(loaded.rules)}`);
  return 0;
}
