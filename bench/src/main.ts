/**
 * `npm run bench` runs every suite; `npm run bench -- <suite>` runs one.
 * Each suite prints its figures and writes bench/results/<suite>.json.
 */
import { edgeSuite } from './edge/suite.js';
import { ingestSuite } from './ingest.js';
import { pipelineSuite } from './pipeline/suite.js';
import { printResult, writeResult, type SuiteResult } from './results.js';
import { sdkSuite } from './sdk/suite.js';

const suites: Record<string, () => Promise<SuiteResult>> = {
  ingest: () => ingestSuite(),
  sdk: () => sdkSuite(),
  edge: () => edgeSuite(),
  pipeline: () => pipelineSuite(),
};

const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}

for (const name of asked.length > 0 ? asked : Object.keys(suites)) {
  console.log(`bench ${name}…`);
  const result = await suites[name]!();
  printResult(result);
  console.log(`  → ${writeResult(result)}`);
}
