/** Benchmark figures: printed as they are, and written to bench/results/<suite>.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@sessionflow/infra';

export interface Figure {
  value: number;
  unit: string;
}

export interface SuiteResult {
  suite: string;
  figures: Record<string, Figure>;
  /** What the figures were measured on, so two runs can be compared honestly. */
  context?: Record<string, unknown>;
}

export const resultsDir = path.join(repoRoot, 'bench', 'results');

export function writeResult(result: SuiteResult): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${result.suite}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function printResult(result: SuiteResult): void {
  console.log(`\n${result.suite}:`);
  const width = Math.max(...Object.keys(result.figures).map((k) => k.length));
  for (const [name, figure] of Object.entries(result.figures)) {
    console.log(`  ${name.padEnd(width)}  ${figure.value} ${figure.unit}`);
  }
}
