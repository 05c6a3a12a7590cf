import { defineConfig } from 'vitest/config';

// Tests that need a DOM opt in per file with `// @vitest-environment happy-dom`.
// Debug logging stays in, as in the npm build (see src/debug/logger.ts).
export default defineConfig({ define: { __SF_DEBUG__: 'true' }, test: { include: ['test/**/*.test.ts'] } });
