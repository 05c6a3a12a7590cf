/** Where the bare route (bare-worker.ts) answers, beside the edge in the direct phase's workerd. */
export const BARE_PATH = '/bench/bare';
