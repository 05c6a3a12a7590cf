import { nodeIo } from './rules/cli.js';
import { validateCommand } from './rules/validate.js';

process.exitCode = await validateCommand(process.argv.slice(2), nodeIo());
