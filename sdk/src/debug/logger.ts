/**
 * Debug output, silent unless the site asked for it with `debug: true`. The
 * script-tag build is made with `__SF_DEBUG__` false, which removes every call
 * and its message text from the bundle (the budget is tight); its sibling
 * `sessionflow.debug.js` and the npm build keep them.
 */
declare const __SF_DEBUG__: boolean;

let enabled = false;

export function setDebug(on: boolean): void {
  enabled = on;
}

export function debug(message: string, ...details: unknown[]): void {
  if (__SF_DEBUG__ && enabled) console.debug(`[sessionflow] ${message}`, ...details);
}
