/**
 * Diginetica's item-view log (CIKM Cup 2016), `session_id;user_id;item_id;timeframe;eventdate`,
 * read into sessions: the views of each session in time order, each with the
 * user the shopper was signed in as (`NA`: not signed in; a few sessions begin
 * anonymous and sign in on the way). `timeframe` is the
 * ms since the session began, so a session's first view is rarely at 0: the
 * time before it is the landing (a home page, a search) before any product.
 * Pure: the text in, sessions out; the fit reads shapes from these, never ids.
 */

export interface LoggedView {
  item: string;
  /** ms since the session began. */
  atMs: number;
  /** Undefined when the log says `NA` (not signed in). */
  userId: string | undefined;
}

export interface LoggedSession {
  /** In time order. */
  views: LoggedView[];
}

export class ItemViewLogError extends Error {}

const HEADER = ['session_id', 'user_id', 'item_id', 'timeframe', 'eventdate'];

/** The sessions of the log, in the order their first line appears; `source` names the file in errors. */
export function parseItemViews(text: string, source = 'input'): LoggedSession[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').trim();
  if (header !== HEADER.join(';')) {
    throw new ItemViewLogError(`${source}:1: expected the header ${JSON.stringify(HEADER.join(';'))}, got ${JSON.stringify(header)}`);
  }
  const sessions = new Map<string, LoggedSession>();
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const at = `${source}:${i + 1}`;
    const cells = line.split(';');
    if (cells.length !== HEADER.length) throw new ItemViewLogError(`${at}: expected ${HEADER.length} columns, got ${cells.length}`);
    const [sessionId, user, item, timeframe] = cells as [string, string, string, string, string];
    if (sessionId === '') throw new ItemViewLogError(`${at}: session_id is empty`);
    if (item === '') throw new ItemViewLogError(`${at}: item_id is empty`);
    if (!/^\d+$/.test(timeframe)) throw new ItemViewLogError(`${at}: timeframe must be whole ms since the session began, got ${JSON.stringify(timeframe)}`);
    const session = sessions.get(sessionId) ?? { views: [] };
    session.views.push({ item, atMs: Number(timeframe), userId: user === 'NA' || user === '' ? undefined : user });
    sessions.set(sessionId, session);
  }
  if (sessions.size === 0) throw new ItemViewLogError(`${source}: no item views after the header`);
  for (const session of sessions.values()) session.views.sort((a, b) => a.atMs - b.atMs);
  return [...sessions.values()];
}
