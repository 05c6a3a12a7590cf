import { describe, expect, it } from 'vitest';
import { degradationLevelOf, gaugeSamples } from '../../src/flash/metrics-text.js';

const gauge = (part: string, inForce: string) =>
  ['full', 'popularity', 'live_only', 'data_only'].map((level) => `sessionflow_${part}_degradation_level{level="${level}"} ${level === inForce ? 1 : 0}`).join('\n');

describe('gaugeSamples', () => {
  it('reads labels (escapes included) and values, and only the gauge asked for', () => {
    const text = ['# HELP x_total a counter', 'x_total 3', 'x{a="1",b="say \\"hi\\""} 2.5', 'x_other{a="2"} 9', 'x 1e3'].join('\n');
    expect(gaugeSamples(text, 'x')).toEqual([
      { labels: { a: '1', b: 'say "hi"' }, value: 2.5 },
      { labels: {}, value: 1000 },
    ]);
  });
});

describe('degradationLevelOf', () => {
  it('is the level whose gauge is 1', () => {
    expect(degradationLevelOf(gauge('pipeline', 'live_only'), 'pipeline')).toBe('live_only');
    expect(degradationLevelOf(`${gauge('collector', 'full')}\n${gauge('pipeline', 'data_only')}`, 'collector')).toBe('full');
  });

  it('is undefined when the part exports no such gauge, or it names no single known level', () => {
    expect(degradationLevelOf('process_cpu_seconds_total 3', 'edge')).toBeUndefined();
    expect(degradationLevelOf(gauge('pipeline', 'full'), 'collector')).toBeUndefined();
    expect(degradationLevelOf('sessionflow_edge_degradation_level{level="panic"} 1', 'edge')).toBeUndefined();
    expect(degradationLevelOf('sessionflow_edge_degradation_level{level="full"} 1\nsessionflow_edge_degradation_level{level="popularity"} 1', 'edge')).toBeUndefined();
  });
});
