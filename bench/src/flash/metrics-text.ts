/**
 * What the parts' /metrics say (Prometheus' text format), read without a
 * client library: the samples of one gauge, and the degradation level a part
 * reports (`sessionflow_<part>_degradation_level{level}`: 1 for the level in
 * force, 0 for the others). Pure.
 */
import { isLevel, type Level } from '@sessionflow/core';

/** The samples of a gauge in Prometheus' text format, with their labels. */
export function gaugeSamples(metrics: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, '$1');
    out.push({ labels, value: Number(m[4]) });
  }
  return out;
}

export type Part = 'edge' | 'collector' | 'pipeline';

/**
 * The level in force by a part's gauge; undefined when the part does not export
 * the gauge (or shows no level at 1): a level is never guessed.
 */
export function degradationLevelOf(metrics: string, part: Part): Level | undefined {
  const inForce = gaugeSamples(metrics, `sessionflow_${part}_degradation_level`).filter((s) => s.value === 1 && isLevel(s.labels['level']));
  return inForce.length === 1 ? (inForce[0]!.labels['level'] as Level) : undefined;
}
