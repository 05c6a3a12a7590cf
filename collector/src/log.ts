/**
 * A tiny levelled logger writing one line per entry to stderr, so stdout stays
 * free for the one line `main` prints (the URL) that scripts may read.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * `scrub` rewrites each line before it is written: the services pass one that
 * replaces the ids a quoted Redis key may hold by their marks
 * (erasure/ids-in-logs.ts), so no log line names a person.
 */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line), scrub: (line: string) => string = (line) => line): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (entryLevel: LogLevel) => (message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(entryLevel) < threshold) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
    write(scrub(`${new Date().toISOString()} ${entryLevel.toUpperCase()} collector: ${message}${extra}`) + '\n');
  };
  return { level, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function safeJson(fields: LogFields): string {
  try {
    return JSON.stringify(fields, (_key, value: unknown) => (value instanceof Error ? value.message : value));
  } catch {
    return '[unserialisable fields]';
  }
}
