import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';

describe('readConfig', () => {
  it('runs locally with no environment', () => {
    expect(readConfig({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      edgeUrl: 'http://127.0.0.1:8787',
      siteKey: 'demo-site-key',
      collectorUrl: undefined,
      readApiSecret: undefined,
    });
  });

  it('takes DEMO_PORT, DEMO_HOST, EDGE_URL, SITE_KEY, COLLECTOR_URL and READ_API_SECRET from the environment', () => {
    const env = { DEMO_PORT: '0', DEMO_HOST: '0.0.0.0', EDGE_URL: 'https://edge.example.com', SITE_KEY: 'shop-1', COLLECTOR_URL: 'http://c:1', READ_API_SECRET: 's' };
    expect(readConfig(env)).toEqual({
      port: 0,
      host: '0.0.0.0',
      edgeUrl: 'https://edge.example.com',
      siteKey: 'shop-1',
      collectorUrl: 'http://c:1',
      readApiSecret: 's',
    });
  });

  it.each(['eighty', '-1', '70000', '80.5'])('refuses DEMO_PORT=%s', (value) => {
    expect(() => readConfig({ DEMO_PORT: value })).toThrow(/DEMO_PORT/);
  });
});
