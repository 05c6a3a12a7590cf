import type { EdgeConfig, SiteConfig } from './config.js';
import type { EdgeBindings } from './env.js';

/** hono's typing of this Worker: its bindings and what middleware leaves for handlers. */
export interface EdgeEnv {
  Bindings: EdgeBindings;
  Variables: {
    config: EdgeConfig;
    /** Set by the site guard on /v1/collect once the site key and origin passed. */
    site: SiteConfig;
    /** Who the site guard let in: a page of the site (an allowed Origin) or the site's server (its secret). */
    caller: 'browser' | 'server';
  };
}
