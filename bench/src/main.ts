/**
 * `npm run bench` runs every suite; `npm run bench -- <suite>` runs one.
 * Each suite prints its figures and writes bench/results/<suite>.json.
 */
import { stopAllChildren } from '@sessionflow/infra';
import { edgeSuite } from './edge/suite.js';
import { flashSaleSuite } from './flash/suite.js';
import { ingestSuite } from './ingest.js';
import { pipelineSuite } from './pipeline/suite.js';
import { printResult, writeResult, type SuiteResult } from './results.js';
import { sdkLossSuite } from './sdk/loss/suite.js';
import { sdkSuite } from './sdk/suite.js';

const suites: Record<string, () => Promise<SuiteResult>> = {
  ingest: () => ingestSuite(),
  sdk: () => sdkSuite(),
  'sdk-loss': () => sdkLossSuite(),
  edge: () => edgeSuite(),
  pipeline: () => pipelineSuite(),
  'flash-sale': () => flashSaleSuite(),
};

// Interrupted, a suite's finally blocks do not run: stop what it started (Kafka, Redis, servers) before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping what the bench started…`);
    void stopAllChildren().finally(() => process.exit(130));
  });
}

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
