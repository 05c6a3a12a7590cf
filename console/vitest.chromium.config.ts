import { defineConfig } from 'vitest/config';

// Chromium against the console and a fake collector: one file at a time, with room for a browser to start.
export default defineConfig({ test: { include: ['test/chromium/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000, fileParallelism: false } });
