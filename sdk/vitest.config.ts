import { defineConfig } from 'vitest/config';

// Tests that need a DOM opt in per file with `// @vitest-environment happy-dom`.
export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
