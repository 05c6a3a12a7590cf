/** The experiments the local edge runs, as edge/wrangler.toml gives them (its top-level vars): what the tests compute variants with. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assign, validateExperiments, type Experiment } from '@sessionflow/core';

export function localExperiments(): Experiment[] {
  const toml = readFileSync(fileURLToPath(new URL('../../../edge/wrangler.toml', import.meta.url)), 'utf8');
  const raw = /^EXPERIMENTS = '(.*)'$/m.exec(toml)?.[1];
  if (raw === undefined) throw new Error('edge/wrangler.toml has no EXPERIMENTS var');
  const parsed = validateExperiments(JSON.parse(raw));
  if (!parsed.ok) throw new Error(`edge/wrangler.toml EXPERIMENTS: ${JSON.stringify(parsed.errors)}`);
  return parsed.value;
}

export function localExperiment(key: string): Experiment {
  const experiment = localExperiments().find((e) => e.key === key);
  if (experiment === undefined) throw new Error(`edge/wrangler.toml runs no experiment ${key}`);
  return experiment;
}

/** A fresh anonymous id (the SDK's 32 hex digits) that the experiment puts in `variant`. */
export function anonymousIdIn(experiment: Experiment, variant: string): string {
  for (let i = 0; i < 10_000; i++) {
    const id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
    if (assign(experiment, id)?.variant === variant) return id;
  }
  throw new Error(`no anonymous id in variant ${variant} of ${experiment.key} after 10,000 tries`);
}
