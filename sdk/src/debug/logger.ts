/** Debug output, silent unless the site asked for it with `debug: true`. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
}

export const silentLogger: Logger = { debug() {} };

export function consoleLogger(enabled: boolean): Logger {
  if (!enabled) return silentLogger;
  return {
    debug(message, ...details) {
      console.debug(`[sessionflow] ${message}`, ...details);
    },
  };
}
