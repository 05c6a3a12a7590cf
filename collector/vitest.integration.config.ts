import { defineConfig } from 'vitest/config';

// Each file starts one Kafka broker and one Redis; one file at a time keeps a 2-core machine from timing itself out.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
