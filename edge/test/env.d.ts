import type { EdgeBindings } from '../src/env.js';

// What `wrangler types` would generate: the bindings' shape and the main
// module, which types `exports.default` from `cloudflare:workers`.
declare global {
  namespace Cloudflare {
    interface Env extends EdgeBindings {
      /** vitest.config.ts: small limits the limit tests swap in. */
      TIGHT_SITE_RATE_LIMIT: RateLimit;
      TIGHT_CLIENT_RATE_LIMIT: RateLimit;
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index.js');
    }
  }
}
