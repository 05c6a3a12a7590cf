/**
 * The edge's `/metrics` in Prometheus' text format (0.0.4), written by hand:
 * a few gauges and one counter do not need a client library in a Worker.
 */
import { LEVELS, type Level } from '@sessionflow/core';
import type { EdgeSignals, LevelInForce } from './degradation.js';
import { EDGE_SIGNALS } from './policy.js';
import type { UpstreamLevelAnswer } from './upstream.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsView {
  inForce: LevelInForce;
  changes: readonly { from: Level; to: Level; count: number }[];
  signals: Readonly<EdgeSignals>;
  /** The central parts' level, when an answer younger than 30 s is in hand. */
  upstream: UpstreamLevelAnswer | undefined;
  /** Seconds since the last upstream answer; undefined when there never was one. */
  upstreamAgeS: number | undefined;
}

/** A label value as the format wants it: backslash, double quote and newline escaped. */
const label = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const number = (value: number): string => (Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN');

function family(out: string[], name: string, type: 'gauge' | 'counter', help: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

export function metricsText(view: MetricsView): string {
  const out: string[] = [];
  family(out, 'sessionflow_edge_degradation_level', 'gauge', 'The degradation level the edge decides at (1), the others 0: the worse of its own and the central parts\'.');
  for (const level of LEVELS) out.push(`sessionflow_edge_degradation_level{level="${level}"} ${level === view.inForce.level ? 1 : 0}`);
  family(out, 'sessionflow_edge_degradation_reason', 'gauge', 'Why the edge is below full: the signal that set the level, or upstream:<part> (1; absent at full).');
  if (view.inForce.reason !== undefined) out.push(`sessionflow_edge_degradation_reason{reason="${label(view.inForce.reason)}"} 1`);
  family(out, 'sessionflow_edge_degradation_changes_total', 'counter', 'Changes of the level in force, from one level to another, since the isolate started.');
  for (const { from, to, count } of view.changes) out.push(`sessionflow_edge_degradation_changes_total{from="${from}",to="${to}"} ${count}`);
  family(out, 'sessionflow_edge_degradation_signal', 'gauge', 'The edge\'s signals as measured now (absent: too few reads in the window to tell).');
  for (const signal of EDGE_SIGNALS) {
    const value = view.signals[signal];
    if (value !== undefined) out.push(`sessionflow_edge_degradation_signal{signal="${signal}"} ${number(value)}`);
  }
  family(out, 'sessionflow_edge_upstream_degradation_level', 'gauge', 'The central parts\' level from the collector\'s /v1/degradation (1), the others 0; all 0 without an answer of the last 30 s.');
  for (const level of LEVELS) out.push(`sessionflow_edge_upstream_degradation_level{level="${level}"} ${level === view.upstream?.level ? 1 : 0}`);
  family(out, 'sessionflow_edge_upstream_age_seconds', 'gauge', 'Seconds since the collector last answered /v1/degradation (absent: never).');
  if (view.upstreamAgeS !== undefined) out.push(`sessionflow_edge_upstream_age_seconds ${number(view.upstreamAgeS)}`);
  return `${out.join('\n')}\n`;
}
