import type { EdgeBindings } from '../src/env.js';

// What `wrangler types` would generate: the bindings' shape and the main
// module, which types `exports.default` from `cloudflare:workers`.
declare global {
  namespace Cloudflare {
    interface Env extends EdgeBindings {}
    interface GlobalProps {
      mainModule: typeof import('../src/index.js');
    }
  }
}
