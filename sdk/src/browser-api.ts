import type { InitOptions } from './config.js';

/** The API as the script-tag build exposes it on `window.sessionflow`. */
export interface SessionflowApi {
  init(options: InitOptions): void;
  track(name: string, props?: Record<string, unknown>): void;
  page(): void;
  flush(): Promise<void>;
  anonymousId(): string | undefined;
  sessionId(): string | undefined;
}
