/**
 * Crash recovery of every process, under load (issue 14): the collector, the
 * pipeline, the edge (wrangler dev, its objects back from `--persist-to`),
 * Redis (AOF fsynced every second) and the Kafka broker, each killed with
 * SIGKILL by its handle and restarted on its port with its data while a
 * steady load runs through the edge's `POST /v1/collect`, sent as the SDK
 * sends (support/load.ts). Then:
 * - every event the edge accepted is in `sf.events` and counted exactly once
 *   by the pipeline (infra's downstream ledger, `auditLoop`);
 * - the run's final profiles, sessions, funnel and experiment readout equal
 *   the reference run's: the same workload sent once before any crash, under
 *   its own prefix (support/workload.ts, support/outcomes.ts);
 * - the recovery times are printed and written to test/results/crash-recovery.json.
 * And the edge's outbox on its own: batches a visitor's object still holds when
 * the edge is killed are relayed after the restart by the object's alarm,
 * without the visitor coming back (in the crash under load every visitor sends
 * again after the restart, which drains its outbox anyway).
 *
 * One stack for all (support/crash-stack.ts): each run is its own ids,
 * products, traffic source and experiment, and each crash test waits until its
 * run is wholly counted before the next begins, so a crash's effects are
 * judged on its own run. The load lasts LOAD_MS; the part is killed a quarter
 * in and restarted DOWN_MS later, so events keep arriving while it is down,
 * while it starts and after it is back.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditLoop, type AuditReport, type Part } from '@sessionflow/infra';
import { signIdentityToken } from '../e2e/support/identity-token.js';
import { startCrashStack, type CrashStack } from './support/crash-stack.js';
import { startLoad, type LoadResult } from './support/load.js';
import { differences, runOutcome } from './support/outcomes.js';
import { recordRecovery, recoveryLine, recoveryOf } from './support/recovery.js';
import { crashWorkload, type Workload } from './support/workload.js';

const CRASHES: readonly Part[] = ['collector', 'pipeline', 'edge', 'redis', 'kafka'];
const RUNS = ['ref', ...CRASHES];
const VISITORS = 40;
const LOAD_MS = 16_000;
const DOWN_MS = 2_000;
/** How long a run may take to be wholly in Kafka and counted once it was sent. */
const SETTLE_MS = 90_000;
const FUNNEL_MINUTES = 120;
const RESULTS = fileURLToPath(new URL('../results/crash-recovery.json', import.meta.url));

let stack: CrashStack;
let failed = false;
let t0: number;
const tokens = new Map<string, string>();
let reference: { workload: Workload } | undefined;

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function workloadOf(run: string): Workload {
  return crashWorkload({ run, t0, visitors: VISITORS, tokenFor: (userId) => tokens.get(userId) ?? '' });
}

async function signTokens(): Promise<void> {
  for (const run of RUNS) {
    const users = crashWorkload({ run, t0, visitors: VISITORS, tokenFor: () => '' }).userIds;
    for (const userId of users) tokens.set(userId, await signIdentityToken({ userId, siteKey: stack.siteKey, secret: stack.secrets.siteIdentity, ttlSeconds: 3_600 }));
  }
}

const readApi = () => ({ collectorUrl: stack.collectorUrl!, readSecret: stack.readSecret });

function startRun(workload: Workload) {
  return startLoad(workload, { edgeUrl: stack.edgeUrl!, siteKey: stack.siteKey, origin: stack.siteOrigin! }, { durationMs: LOAD_MS, deadlineMs: LOAD_MS + 120_000 });
}

function audit(load: LoadResult): Promise<AuditReport> {
  return auditLoop(
    { kafkaBrokers: stack.kafkaBrokers, topicPrefix: stack.topicPrefix, redisUrl: stack.redisUrl, collectorUrl: stack.collectorUrl!, readSecret: stack.readSecret },
    load.accepted.keys(),
    { waitMs: SETTLE_MS, log },
  );
}

/** What the ledger found wrong, in a form a failed expectation shows whole. */
function ledgerFaults(report: AuditReport) {
  return {
    missingFromKafka: report.missingFromKafka,
    missingFromPipeline: report.missingFromPipeline,
    countedTwice: report.countedTwice,
    duplicateEffects: report.duplicateEffects,
    sessionMismatches: [...report.stages.sessions.sessionMismatches, ...report.stages.aggregates.sessionMismatches],
  };
}

const NO_FAULTS = { missingFromKafka: [], missingFromPipeline: [], countedTwice: [], duplicateEffects: 0, sessionMismatches: [] };

beforeAll(async () => {
  stack = await startCrashStack(RUNS);
  // Event times: minutes in the past, on a minute boundary, the same for every run (support/workload.ts).
  t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  await signTokens();
}, 180_000);

afterAll(async () => {
  await stack?.close(failed);
});

describe.sequential('crash recovery under load', () => {
  test('the reference run, without a crash: every accepted event counted once, and the results are what the workload sent', async () => {
    try {
      const workload = workloadOf('ref');
      const load = await startRun(workload).done;
      expect(load.unsent).toBe(0);
      expect([...load.accepted.keys()].sort()).toEqual([...workload.eventIds].sort());
      const report = await audit(load);
      expect(ledgerFaults(report)).toEqual(NO_FAULTS);
      expect(report.countedByPipeline).toBe(workload.eventIds.length);
      reference = { workload };

      // Not a comparison of two empty results: what the reference holds is what the workload sent.
      const outcome = await runOutcome(readApi(), workload, FUNNEL_MINUTES);
      for (const v of workload.visitors) {
        const events = v.batches.flat();
        expect(outcome.sessions[v.sessionId.replace(workload.prefix, 'RUN')]).toMatchObject({
          events: events.length,
          pageViews: events.filter((e) => e.type === 'page_view').length,
          source: 'RUN',
        });
      }
      for (const userId of workload.userIds) expect(outcome.profiles[`user:${userId.replace(workload.prefix, 'RUN')}`]).toMatchObject({ kind: 'user' });
      const exposures = workload.visitors.flatMap((v) => v.batches.flat()).filter((e) => e.type === 'exposure').length;
      const readout = outcome.experiment as { variants: { exposures: number }[] };
      expect(readout.variants.reduce((n, v) => n + v.exposures, 0)).toBe(exposures);
      const funnelPageViews = (outcome.funnel as { steps: Record<string, { events: number }> }[]).reduce((n, s) => n + (s.steps['page_view']?.events ?? 0), 0);
      expect(funnelPageViews).toBe(workload.visitors.flatMap((v) => v.batches.flat()).filter((e) => e.type === 'page_view').length);
    } catch (error) {
      failed = true;
      throw error;
    }
  }, 240_000);

  test('edge: a batch still in a visitor\'s outbox when the edge is killed reaches Kafka after the restart, counted once, without the visitor coming back', async () => {
    try {
      // Quiet visitors: two batches each, sent while the collector is down, so their outboxes hold them at the kill.
      const full = workloadOf('outbox');
      const workload = { ...full, visitors: full.visitors.slice(0, 4).map((v) => ({ ...v, batches: v.batches.slice(0, 2) })) };
      await stack.killPart('collector');
      const load = await startLoad(workload, { edgeUrl: stack.edgeUrl!, siteKey: stack.siteKey, origin: stack.siteOrigin! }, { durationMs: 1_000, deadlineMs: 30_000 }).done;
      expect(load.unsent).toBe(0);
      await stack.killPart('edge');
      await stack.restartPart('collector');
      await stack.restartPart('edge');
      const report = await audit(load);
      expect(ledgerFaults(report)).toEqual(NO_FAULTS);
      expect(report.countedByPipeline).toBe(load.accepted.size);
      expect(load.accepted.size).toBe(workload.visitors.reduce((n, v) => n + v.batches.flat().length, 0));
    } catch (error) {
      failed = true;
      throw error;
    }
  }, 180_000);

  for (const part of CRASHES) {
    test(`${part}: killed with SIGKILL under load and restarted, every accepted event counted once, results equal to the reference run's`, async () => {
      try {
        expect(reference, 'the reference run failed: nothing to compare with').toBeDefined();
        const workload = workloadOf(part);
        const running = startRun(workload);
        await new Promise((resolve) => setTimeout(resolve, LOAD_MS / 4));
        await stack.killPart(part);
        const killedAt = Date.now();
        await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
        const restartAt = Date.now();
        await stack.restartPart(part);
        const readyAt = Date.now();
        const load = await running.done;
        expect(load.unsent, 'events the edge never answered 200 for').toBe(0);
        const report = await audit(load);
        const recovery = recoveryOf(part, { killedAt, restartAt, readyAt }, report, load);
        log(recoveryLine(recovery));
        recordRecovery(RESULTS, recovery);

        expect(ledgerFaults(report)).toEqual(NO_FAULTS);
        expect(report.countedByPipeline).toBe(workload.eventIds.length);
        expect(recovery.restartToFirstAppliedMs, 'no event was applied after the restart').toBeDefined();

        // Read side by side, so the affinities decay to the same moment.
        const [expected, found] = await Promise.all([runOutcome(readApi(), reference!.workload, FUNNEL_MINUTES), runOutcome(readApi(), workload, FUNNEL_MINUTES)]);
        expect(differences(expected, found)).toEqual([]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }, 300_000);
  }
});
