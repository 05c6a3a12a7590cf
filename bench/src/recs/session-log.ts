/**
 * Reads a log of item views in either of the two formats session-based recommenders are
 * evaluated on, told apart by the header:
 * - Diginetica's `session_id;user_id;item_id;timeframe;eventdate` (timeframe: ms since the session
 *   began, which orders a session; eventdate: the day, which the 7-day split uses);
 * - GRU4Rec's tab-separated `SessionId ItemId Time` (Time in seconds; already prepared data).
 */
import { readFileSync } from 'node:fs';

export interface View {
  readonly session: string;
  readonly item: string;
  /** ms since the Unix epoch */
  readonly time: number;
  /** Days since the Unix epoch (UTC): Diginetica's eventdate, else the day of `time`. */
  readonly day: number;
  /** The view's line in the file, which breaks ties in time so order stays the file's. */
  readonly line: number;
}

export type LogFormat = 'diginetica' | 'session-item-time';

const DAY_MS = 86_400_000;
const DIGINETICA_HEADER = ['session_id', 'user_id', 'item_id', 'timeframe', 'eventdate'];
const TSV_HEADER = ['SessionId', 'ItemId', 'Time'];

export class SessionLogError extends Error {}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
};

export function detectFormat(header: string): LogFormat {
  const line = header.replace(/^\uFEFF/, '').trim();
  if (sameColumns(line.split(';'), DIGINETICA_HEADER)) return 'diginetica';
  if (sameColumns(line.split('\t'), TSV_HEADER)) return 'session-item-time';
  throw new SessionLogError(
    `unknown header ${JSON.stringify(line)}: expected ${JSON.stringify(DIGINETICA_HEADER.join(';'))} ` +
      `or ${JSON.stringify(TSV_HEADER.join('\t'))} (tab-separated)`,
  );
}

export function parseSessionLog(text: string, source = 'input'): { format: LogFormat; views: View[] } {
  const lines = text.split(/\r?\n/);
  const format = detectFormat(lines[0] ?? '');
  const views: View[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const at = `${source}:${i + 1}`;
    views.push(format === 'diginetica' ? digineticaView(line, i + 1, at) : tsvView(line, i + 1, at));
  }
  return { format, views };
}

export function readSessionLog(file: string): { format: LogFormat; views: View[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === undefined ? (error as Error).message : `${READ_ERRORS[code] ?? 'error'} (${code})`;
    throw new SessionLogError(`cannot read ${file}: ${reason}`);
  }
  try {
    return parseSessionLog(text, file);
  } catch (error) {
    if (error instanceof SessionLogError) throw new SessionLogError(`${file}: ${error.message}`);
    throw error;
  }
}

function digineticaView(line: string, number: number, at: string): View {
  const cells = line.split(';');
  if (cells.length !== DIGINETICA_HEADER.length) throw new SessionLogError(`${at}: expected 5 columns, got ${cells.length}`);
  const [session, , item, timeframe, eventdate] = cells as [string, string, string, string, string];
  const dayMs = Date.parse(`${eventdate}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(eventdate) || Number.isNaN(dayMs)) {
    throw new SessionLogError(`${at}: eventdate ${JSON.stringify(eventdate)} is not a YYYY-MM-DD date`);
  }
  const offset = finite(timeframe, 'timeframe', at);
  return { session: id(session, 'session_id', at), item: id(item, 'item_id', at), time: dayMs + offset, day: dayMs / DAY_MS, line: number };
}

function tsvView(line: string, number: number, at: string): View {
  const cells = line.split('\t');
  if (cells.length !== TSV_HEADER.length) throw new SessionLogError(`${at}: expected 3 tab-separated columns, got ${cells.length}`);
  const [session, item, seconds] = cells as [string, string, string];
  const time = finite(seconds, 'Time', at) * 1000;
  return { session: id(session, 'SessionId', at), item: id(item, 'ItemId', at), time, day: Math.floor(time / DAY_MS), line: number };
}

function sameColumns(found: string[], expected: string[]): boolean {
  return found.length === expected.length && found.every((c, i) => c.trim() === expected[i]);
}

function id(value: string, column: string, at: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new SessionLogError(`${at}: ${column} is empty`);
  return trimmed;
}

function finite(value: string, column: string, at: string): number {
  const number = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(number)) throw new SessionLogError(`${at}: ${column} ${JSON.stringify(value)} is not a number`);
  return number;
}
