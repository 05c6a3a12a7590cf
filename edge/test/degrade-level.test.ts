/**
 * The level the edge decides at (src/degrade/degradation.ts): its own, from
 * its signals through core's policy step, and the central parts' from the
 * collector's /v1/degradation, the worse of the two in force; the changes
 * counted, a stale upstream answer ignored, and what /metrics prints of it.
 * On a clock the test sets; the collector is a fake fetch.
 */
import type { DegradePolicy } from '@sessionflow/core';
import { describe, expect, it } from 'vitest';
import { EdgeDegradation } from '../src/degrade/degradation.js';
import { metricsText } from '../src/degrade/metrics-text.js';
import { DEFAULT_EDGE_DEGRADE_POLICY, parseEdgeDegradePolicy } from '../src/degrade/policy.js';
import { parseDegradationAnswer } from '../src/degrade/upstream.js';
import type { ReadTarget } from '../src/reads/read-json.js';

const T = 1_800_000_000_000;
const policy: DegradePolicy = { ...DEFAULT_EDGE_DEGRADE_POLICY, recoverAfterMs: 1_000 };

/** A collector whose /v1/degradation answers `body` (a status instead, when a number), counting the asks. */
function fakeCollector(answer: () => unknown): { target: ReadTarget; asked: () => number } {
  let asked = 0;
  const target: ReadTarget = {
    collectorUrl: 'http://collector.test',
    secret: 'read-secret',
    timeoutMs: 1_000,
    fetch: async (input, init) => {
      asked += 1;
      expect(String(input)).toBe('http://collector.test/v1/degradation');
      expect(new Headers(init?.headers).get('authorization')).toBe('Bearer read-secret');
      const body = answer();
      return typeof body === 'number' ? new Response('{}', { status: body }) : Response.json(body);
    },
  };
  return { target, asked: () => asked };
}

const pipelineBehind = { level: 'popularity', parts: { collector: { level: 'full' }, pipeline: { level: 'popularity', reason: 'lag_s', lagS: 12, at: T } } };

describe('the edge\'s own level', () => {
  it('goes to popularity, then data only, as the outboxes fill, and back one step per calm period', () => {
    const edge = new EdgeDegradation(T);
    const levels: string[] = [];
    const step = (at: number) => levels.push(`${edge.levelAt(at, policy).level}:${edge.current().reason ?? '-'}`);
    edge.outbox.record(4, T);
    step(T);
    edge.outbox.record(10, T + 100);
    step(T + 100);
    edge.outbox.record(21, T + 200);
    step(T + 200);
    edge.outbox.record(0, T + 300); // drained: the window still holds 21 for 5 s
    step(T + 4_900);
    step(T + 5_100); // calm from here
    step(T + 6_100);
    step(T + 7_100);
    step(T + 8_100);
    expect(levels).toEqual([
      'full:-',
      'popularity:outbox_depth',
      'data_only:outbox_depth',
      'data_only:outbox_depth',
      'data_only:outbox_depth',
      'live_only:outbox_depth',
      'popularity:outbox_depth',
      'full:-',
    ]);
    expect(edge.changeCounts()).toEqual(
      expect.arrayContaining([
        { from: 'full', to: 'popularity', count: 1 },
        { from: 'popularity', to: 'data_only', count: 1 },
        { from: 'data_only', to: 'live_only', count: 1 },
        { from: 'live_only', to: 'popularity', count: 1 },
        { from: 'popularity', to: 'full', count: 1 },
      ]),
    );
    expect(edge.changeCounts()).toHaveLength(5);
  });

  it('goes to live only when the reads fail, and to popularity at a high request rate', () => {
    const failing = new EdgeDegradation(T);
    for (let i = 0; i < 30; i++) failing.reads.record(20, i % 3 === 0, T); // two in three fail
    expect(failing.levelAt(T + 10, policy)).toEqual({ level: 'live_only', reason: 'read_failure_share' });
    const slow = new EdgeDegradation(T);
    for (let i = 0; i < 30; i++) slow.reads.record(900, true, T);
    expect(slow.levelAt(T + 10, policy)).toEqual({ level: 'live_only', reason: 'read_p99_ms' });
    const busy = new EdgeDegradation(T);
    for (let i = 0; i < 750; i++) busy.requests.count(T + i * 6); // 167 a second for 4.5 s
    expect(busy.levelAt(T + 5_000, policy).level).toBe('full');
    for (let i = 0; i < 500; i++) busy.requests.count(T + 5_000 + i); // 500 more in the next second
    expect(busy.levelAt(T + 6_000, policy)).toEqual({ level: 'popularity', reason: 'requests_per_s' });
  });

  it('stays at full under a quiet load: an outbox of one, fast reads that answer, a few requests a second', () => {
    const edge = new EdgeDegradation(T);
    for (let s = 0; s < 60; s++) {
      const at = T + s * 1_000;
      for (let r = 0; r < 5; r++) {
        edge.requests.count(at + r * 150);
        edge.outbox.record(1, at + r * 150);
        edge.outbox.record(0, at + r * 150 + 20);
        edge.reads.record(4, true, at + r * 150 + 30);
        edge.reads.record(6, r !== 4 || s % 10 !== 0, at + r * 150 + 40); // now and then a read fails
      }
      expect(edge.levelAt(at + 999, DEFAULT_EDGE_DEGRADE_POLICY).level).toBe('full');
    }
    expect(edge.changeCounts()).toEqual([]);
  });
});

describe('the central parts\' level', () => {
  it('is asked at most once per 2 s, and the worse of it and the edge\'s own is in force, named upstream:<part>', async () => {
    let now = T;
    const collector = fakeCollector(() => pipelineBehind);
    const edge = new EdgeDegradation(now);
    await edge.upstream.poll(collector.target, () => now);
    expect(edge.upstream.poll(collector.target, () => now + 1_999)).toBeUndefined();
    expect(collector.asked()).toBe(1);
    expect(edge.levelAt(now, policy)).toEqual({ level: 'popularity', reason: 'upstream:pipeline' });
    // The edge's own level is worse: it is in force, with its own reason.
    edge.outbox.record(25, now);
    expect(edge.levelAt(now, policy)).toEqual({ level: 'data_only', reason: 'outbox_depth' });
    now += 2_000;
    await edge.upstream.poll(collector.target, () => now);
    expect(collector.asked()).toBe(2);
  });

  it('is ignored once the last answer is older than 30 s, and kept meanwhile when a poll fails', async () => {
    let now = T;
    let answer: unknown = { level: 'live_only', parts: { collector: { level: 'live_only', reason: 'produce_p99_ms' }, pipeline: null } };
    const collector = fakeCollector(() => answer);
    const edge = new EdgeDegradation(now);
    await edge.upstream.poll(collector.target, () => now);
    expect(edge.levelAt(now, policy)).toEqual({ level: 'live_only', reason: 'upstream:collector' });
    answer = 503;
    now += 20_000;
    await edge.upstream.poll(collector.target, () => now);
    expect(collector.asked()).toBe(2);
    expect(edge.levelAt(now, policy).level).toBe('live_only');
    now += 10_001;
    expect(edge.upstream.current(now)).toBeUndefined();
    expect(edge.levelAt(now, policy)).toEqual({ level: 'full', reason: undefined });
  });

  it('goes back up as soon as the central parts do (their own hysteresis has already been waited out)', async () => {
    const now = T;
    let answer: unknown = pipelineBehind;
    const collector = fakeCollector(() => answer);
    const edge = new EdgeDegradation(now);
    await edge.upstream.poll(collector.target, () => now);
    expect(edge.levelAt(now, policy).level).toBe('popularity');
    answer = { level: 'full', parts: { collector: { level: 'full' }, pipeline: { level: 'full', lagS: 0, at: now } } };
    await edge.upstream.poll(collector.target, () => now + 2_000);
    expect(edge.levelAt(now + 2_000, policy)).toEqual({ level: 'full', reason: undefined });
    expect(edge.changeCounts()).toEqual([
      { from: 'full', to: 'popularity', count: 1 },
      { from: 'popularity', to: 'full', count: 1 },
    ]);
  });

  it('refuses an answer without a level, and names the part at the worst level', () => {
    expect(parseDegradationAnswer({ parts: {} }).ok).toBe(false);
    expect(parseDegradationAnswer({ level: 'slow', parts: {} }).ok).toBe(false);
    expect(parseDegradationAnswer('full').ok).toBe(false);
    expect(parseDegradationAnswer({ level: 'data_only', parts: { collector: { level: 'popularity' }, pipeline: { level: 'data_only' } } })).toEqual({
      ok: true,
      value: { level: 'data_only', reason: 'upstream:pipeline' },
    });
  });
});

describe('the policy from SF_EDGE_DEGRADE_POLICY', () => {
  it('is the default when unset or empty', () => {
    expect(parseEdgeDegradePolicy(undefined)).toEqual({ ok: true, value: DEFAULT_EDGE_DEGRADE_POLICY });
    expect(parseEdgeDegradePolicy(' ')).toEqual({ ok: true, value: DEFAULT_EDGE_DEGRADE_POLICY });
  });

  it('takes a policy over the edge\'s signals, as JSON text or an object', () => {
    const own = { triggers: [{ signal: 'outbox_depth', level: 'data_only', enter: 3, exit: 1 }], recoverAfterMs: 200 };
    expect(parseEdgeDegradePolicy(JSON.stringify(own))).toEqual({ ok: true, value: own });
    expect(parseEdgeDegradePolicy(own)).toEqual({ ok: true, value: own });
  });

  it.each([
    ['{"triggers": [', '', /^is not valid JSON/],
    ['[]', '', /must be an object/],
    ['{"triggers": []}', 'recoverAfterMs', /is required/],
    ['{"triggers": [{"signal": "outbox_depth", "level": "data_only", "enter": 5, "exit": 10}], "recoverAfterMs": 1000}', 'triggers.0', /exit must not be above enter/],
    ['{"triggers": [{"signal": "outbox_depth", "level": "full", "enter": 5, "exit": 1}], "recoverAfterMs": 1000}', 'triggers.0.level', /must be one of/],
    ['{"triggers": [{"signal": "lag_s", "level": "popularity", "enter": 5, "exit": 1}], "recoverAfterMs": 1000}', 'triggers.0.signal', /measures no signal "lag_s"/],
  ])('refuses %s, naming %j', (raw, field, reason) => {
    const parsed = parseEdgeDegradePolicy(raw);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.field).toBe(field);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});

describe('/metrics text', () => {
  it('has one line per level, 1 for the one in force, the changes, the signals measured and the central parts\' level', () => {
    const text = metricsText({
      inForce: { level: 'live_only', reason: 'upstream:pipeline' },
      changes: [{ from: 'full', to: 'live_only', count: 2 }],
      signals: { outbox_depth: 3, read_p99_ms: undefined, read_failure_share: 0.25, requests_per_s: 12.4 },
      upstream: { level: 'live_only', reason: 'upstream:pipeline' },
      upstreamAgeS: 1.5,
    });
    const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(lines).toEqual([
      'sessionflow_edge_degradation_level{level="full"} 0',
      'sessionflow_edge_degradation_level{level="popularity"} 0',
      'sessionflow_edge_degradation_level{level="live_only"} 1',
      'sessionflow_edge_degradation_level{level="data_only"} 0',
      'sessionflow_edge_degradation_reason{reason="upstream:pipeline"} 1',
      'sessionflow_edge_degradation_changes_total{from="full",to="live_only"} 2',
      'sessionflow_edge_degradation_signal{signal="outbox_depth"} 3',
      'sessionflow_edge_degradation_signal{signal="read_failure_share"} 0.25',
      'sessionflow_edge_degradation_signal{signal="requests_per_s"} 12.4',
      'sessionflow_edge_upstream_degradation_level{level="full"} 0',
      'sessionflow_edge_upstream_degradation_level{level="popularity"} 0',
      'sessionflow_edge_upstream_degradation_level{level="live_only"} 1',
      'sessionflow_edge_upstream_degradation_level{level="data_only"} 0',
      'sessionflow_edge_upstream_age_seconds 1.5',
    ]);
    expect(text).toContain('# TYPE sessionflow_edge_degradation_changes_total counter');
    expect(text.endsWith('\n')).toBe(true);
  });
});
