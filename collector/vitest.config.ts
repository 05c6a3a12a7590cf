import { defineConfig } from 'vitest/config';

// Unit tests only: the integration tests start real Kafka and Redis (vitest.integration.config.ts).
export default defineConfig({ test: { include: ['test/**/*.test.ts'], exclude: ['test/integration/**'] } });
