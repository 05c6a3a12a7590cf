import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import {
  TEST_ADMIN_SECRET,
  TEST_READ_SECRET,
  TEST_RELAY_SECRET,
  TEST_SITE_SECRETS,
  TEST_VISITOR_RETAIN_MS,
  TIGHT_CLIENT_LIMIT,
  TIGHT_SITE_LIMIT,
} from './test/shared.js';

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              // The entry-point tests go through the wrangler.toml bindings; only the
              // collector (the Node stub), the secrets and the visitors' retention differ
              // from a local run.
              bindings: {
                COLLECTOR_URL: `${inject('collectorStubUrl')}/ok-entrypoint`,
                RELAY_HMAC_SECRET: TEST_RELAY_SECRET,
                COLLECTOR_READ_SECRET: TEST_READ_SECRET,
                SITE_SECRETS: JSON.stringify(TEST_SITE_SECRETS),
                ADMIN_SECRET: TEST_ADMIN_SECRET,
                VISITOR_RETAIN_MS: String(TEST_VISITOR_RETAIN_MS),
              },
              // Beside wrangler.toml's SITE_RATE_LIMIT and CLIENT_RATE_LIMIT: small limits of the
              // same kind, which the limit tests put in their place.
              ratelimits: {
                TIGHT_SITE_RATE_LIMIT: { simple: { limit: TIGHT_SITE_LIMIT, period: 60 } },
                TIGHT_CLIENT_RATE_LIMIT: { simple: { limit: TIGHT_CLIENT_LIMIT, period: 60 } },
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
