import { defineConfig } from 'vitest/config';

// Each file starts its own stack of real parts (Kafka, Redis, collector,
// workerd, Chromium) on free ports; running them one at a time keeps a
// 2-core machine from timing itself out.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
