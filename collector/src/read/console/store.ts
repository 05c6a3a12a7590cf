/**
 * What the console's read routes need of the online store: the open sessions
 * as the sessions stage keeps them, and the rule-fire rollups. Redis in
 * production (redis-store.ts), a fake in route tests. Failures throw
 * ReadStoreUnavailableError (../store.ts), answered with 503.
 */
import type { OpenSessionView, OpenSessionsView } from '@sessionflow/core';

export interface ConsoleReads {
  /** The open sessions of every partition, the `limit` most recently active with their views. */
  openSessions(limit: number, nowMs: number): Promise<OpenSessionsView>;
  /** One open session, wherever its partition; null when none is open by that id. */
  session(sessionId: string, nowMs: number): Promise<OpenSessionView | null>;
  /** Rule id → fires per minute, for the given minutes (in that order), summed over the partitions. */
  ruleFires(minutes: readonly string[]): Promise<Map<string, number[]>>;
  available(): boolean;
}
