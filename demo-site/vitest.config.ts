import { defineConfig } from 'vitest/config';

// The browser tests (test/browser) start Chromium: one file at a time keeps a 2-core machine from timing itself out.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 } });
