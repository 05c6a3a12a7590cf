/**
 * Lost and duplicated events, counted downstream by the ledger the crash tests
 * use: `auditLoop` of @sessionflow/infra (infra/src/audit/, issue 14's
 * contract), which looks every accepted event id up in `sf.events` and in what
 * the pipeline made of it. The flash sale only hands it the ids the edge
 * accepted and reads the answer:
 * lost = accepted but missing from Kafka or never counted by the pipeline;
 * duplicate effects = counted twice downstream (a duplicate in Kafka is no
 * effect: duplicates may travel, downstream counts each id once).
 */
import * as infra from '@sessionflow/infra';

export interface LedgerTarget {
  kafkaBrokers: string[];
  topicPrefix: string;
  redisUrl?: string;
  collectorUrl: string;
  readSecret: string;
}

export interface LedgerAudit {
  inKafka: number;
  missingFromKafka: string[];
  duplicatesInKafka: number;
  countedByPipeline: number;
  missingFromPipeline: string[];
  countedTwice: string[];
}

export type AuditLoop = (target: LedgerTarget, acceptedIds: string[], opts?: Record<string, unknown>) => Promise<LedgerAudit>;

export interface LedgerFigures {
  lost: number;
  duplicateEffects: number;
  audit: LedgerAudit;
}

/** The ledger, when this tree has it (undefined until infra's audit is merged: the figures are then left out, never guessed). */
export function ledger(): AuditLoop | undefined {
  const candidate = (infra as Record<string, unknown>)['auditLoop'];
  return typeof candidate === 'function' ? (candidate as AuditLoop) : undefined;
}

export function ledgerFigures(audit: LedgerAudit): LedgerFigures {
  const lost = new Set([...audit.missingFromKafka, ...audit.missingFromPipeline]);
  return { lost: lost.size, duplicateEffects: new Set(audit.countedTwice).size, audit };
}
