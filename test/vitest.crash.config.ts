import { defineConfig } from 'vitest/config';

// The crash tests (crash/): one stack of real parts shared by the file's
// tests, which kill and restart its processes one after the other.
export default defineConfig({
  test: {
    include: ['crash/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
