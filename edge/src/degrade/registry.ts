/**
 * One degradation per collector the isolate relays to: its outboxes, its read
 * API and its level are what the edge's signals measure. A deployed edge has
 * one collector, so one degradation per isolate; the tests give each scenario
 * of their stub collector its own.
 */
import { EdgeDegradation } from './degradation.js';

const MAX_COLLECTORS = 16;
const byCollector = new Map<string, EdgeDegradation>();

export function degradationOf(collectorUrl: string, nowMs: number): EdgeDegradation {
  let degradation = byCollector.get(collectorUrl);
  if (degradation === undefined) {
    // Bounded: beyond a handful of collectors, the one seen first goes (Maps keep insertion order).
    if (byCollector.size >= MAX_COLLECTORS) byCollector.delete(byCollector.keys().next().value!);
    degradation = new EdgeDegradation(nowMs);
    byCollector.set(collectorUrl, degradation);
  }
  return degradation;
}
