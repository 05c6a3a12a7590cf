/**
 * How long a part took to come back, from the moment its restart began:
 * until it answered ready (the stack's own readiness check), until the
 * pipeline applied the first event after it, and until every event the edge
 * had accepted before the restart was applied (the backlog the crash left).
 * "Applied" is when the aggregates stage, the end of the line, counted the
 * event: its mark in Redis, written in the same script as its effects, has an
 * expiry of exactly the dedupe window after that moment (the ledger's
 * `appliedAt`). While the part is down the pipeline applies nothing of the
 * run (no new event reaches it, or it cannot write), so the first event
 * applied after the restart began is the first one the restarted part let
 * through.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditReport } from '@sessionflow/infra';
import type { LoadResult } from './load.js';

export interface CrashTimes {
  killedAt: number;
  restartAt: number;
  readyAt: number;
}

export interface Recovery {
  part: string;
  downMs: number;
  restartToReadyMs: number;
  /** Until the collector wrote the first event to Kafka after the restart began (undefined: none); for a part not on the write path, it never stopped. */
  restartToFirstWrittenMs: number | undefined;
  /** Undefined when no event of the run was applied after the restart began. */
  restartToFirstAppliedMs: number | undefined;
  restartToBacklogAppliedMs: number;
  acceptedEvents: number;
  duplicatesInKafka: number;
  requests: number;
  answers: Record<string, number>;
}

export function recoveryOf(part: string, times: CrashTimes, report: AuditReport, load: LoadResult): Recovery {
  const after = [...report.appliedAt.values()].filter((at) => at >= times.restartAt);
  const written = [...report.writtenAt.values()].filter((at) => at >= times.restartAt);
  const backlog = [...load.accepted].filter(([, acceptedAt]) => acceptedAt < times.restartAt).map(([id]) => report.appliedAt.get(id) ?? Number.POSITIVE_INFINITY);
  return {
    part,
    downMs: times.restartAt - times.killedAt,
    restartToReadyMs: times.readyAt - times.restartAt,
    restartToFirstWrittenMs: written.length === 0 ? undefined : Math.min(...written) - times.restartAt,
    restartToFirstAppliedMs: after.length === 0 ? undefined : Math.min(...after) - times.restartAt,
    // Zero when the crash left no backlog: everything accepted before the restart was applied before it.
    restartToBacklogAppliedMs: Math.max(0, Math.max(Number.NEGATIVE_INFINITY, ...backlog) - times.restartAt),
    acceptedEvents: load.accepted.size,
    duplicatesInKafka: report.duplicatesInKafka,
    requests: load.requests,
    answers: load.answers,
  };
}

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never' : ms === Number.POSITIVE_INFINITY ? 'never' : `${(Math.max(0, ms) / 1000).toFixed(1)} s`);

export function recoveryLine(r: Recovery): string {
  return (
    `crash recovery: ${r.part.padEnd(9)} down ${seconds(r.downMs)} · restart→ready ${seconds(r.restartToReadyMs)} · ` +
    `restart→first event written to Kafka ${seconds(r.restartToFirstWrittenMs)} · ` +
    `restart→first event applied ${seconds(r.restartToFirstAppliedMs)} · restart→backlog applied ${seconds(r.restartToBacklogAppliedMs)} · ` +
    `${r.acceptedEvents} events accepted, ${r.duplicatesInKafka} duplicates in Kafka, ${r.requests} requests ${JSON.stringify(r.answers)}`
  );
}

/** Adds `r` to the JSON file (one entry per part, the latest run's), creating its folder. */
export function recordRecovery(file: string, r: Recovery): void {
  mkdirSync(path.dirname(file), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // First entry.
  }
  all[r.part] = { ...r, at: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
