import { defineConfig } from 'vitest/config';

// One Kafka broker for the run (broker-setup.ts), one Redis per file; one file at a time keeps a 2-core machine from timing itself out.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    globalSetup: ['test/integration/broker-setup.ts'],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
  },
});
