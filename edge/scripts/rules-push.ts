import { nodeIo } from './rules/cli.js';
import { pushCommand } from './rules/push.js';
import { runWrangler } from './rules/wrangler.js';

process.exitCode = await pushCommand(process.argv.slice(2), nodeIo(), runWrangler);
