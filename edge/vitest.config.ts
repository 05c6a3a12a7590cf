import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { TEST_READ_SECRET, TEST_RELAY_SECRET } from './test/shared.js';

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              // The entry-point tests go through the wrangler.toml bindings; only the
              // collector (the Node stub) and the secret differ from a local run.
              bindings: {
                COLLECTOR_URL: `${inject('collectorStubUrl')}/ok-entrypoint`,
                RELAY_HMAC_SECRET: TEST_RELAY_SECRET,
                COLLECTOR_READ_SECRET: TEST_READ_SECRET,
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/**/*.test.ts'],
          exclude: ['test/node/**'],
          globalSetup: ['./test/node/collector-stub.ts'],
        },
      },
      {
        // What runs in Node rather than workerd: the rules scripts.
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
        },
      },
    ],
  },
});
