/**
 * Lost and duplicated events, counted downstream by the ledger the crash tests
 * use: `auditLoop` of @sessionflow/infra (infra/src/audit/), which looks every
 * accepted event id up in `sf.events` and in what the pipeline made of it (its
 * doc comment says what it reads and what it cannot prove). The flash sale
 * hands it the ids the edge accepted and reads:
 * lost = accepted but missing from Kafka, or never counted by the pipeline;
 * duplicate effects = its count of countings beyond one (a duplicate that
 * travelled through Kafka is no effect: downstream counts each id once).
 */
import { auditLoop, type AuditReport, type AuditTarget } from '@sessionflow/infra';

export interface LedgerFigures {
  lost: number;
  duplicateEffects: number;
  report: AuditReport;
}

export function ledgerFigures(report: AuditReport): LedgerFigures {
  const lost = new Set([...report.missingFromKafka, ...report.missingFromPipeline]);
  return { lost: lost.size, duplicateEffects: report.duplicateEffects, report };
}

/** Counts the accepted ids downstream, waiting up to `waitMs` for any still on their way (an outbox, the pipeline's lag). */
export async function countDownstream(target: AuditTarget, acceptedIds: Iterable<string>, waitMs: number, log: (line: string) => void): Promise<LedgerFigures> {
  return ledgerFigures(await auditLoop(target, acceptedIds, { waitMs, log }));
}
