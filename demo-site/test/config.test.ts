import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.js';

const STRONG = 'k'.repeat(32);

describe('readConfig', () => {
  it('runs locally with no environment, saying that sign-in is off', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      edgeUrl: 'http://127.0.0.1:8787',
      siteKey: 'demo-site-key',
      collectorUrl: undefined,
      catalogSecret: undefined,
      identitySecret: undefined,
    });
    expect(config.warnings).toEqual([expect.stringContaining('SITE_IDENTITY_SECRET')]);
  });

  it('takes DEMO_PORT, DEMO_HOST, EDGE_URL, SITE_KEY, COLLECTOR_URL, CATALOG_SECRET and SITE_IDENTITY_SECRET from the environment', () => {
    const env = {
      DEMO_PORT: '0',
      DEMO_HOST: '0.0.0.0',
      EDGE_URL: 'https://edge.example.com',
      SITE_KEY: 'shop-1',
      COLLECTOR_URL: 'http://c:1',
      CATALOG_SECRET: 'catalog',
      SITE_IDENTITY_SECRET: STRONG,
    };
    expect(readConfig(env)).toEqual({
      port: 0,
      host: '0.0.0.0',
      edgeUrl: 'https://edge.example.com',
      siteKey: 'shop-1',
      collectorUrl: 'http://c:1',
      catalogSecret: 'catalog',
      identitySecret: STRONG,
      warnings: [],
    });
  });

  it('no longer sends the catalog with the read secret, and says which variable to set', () => {
    const config = readConfig({ COLLECTOR_URL: 'http://c:1', READ_API_SECRET: 'reads', SITE_IDENTITY_SECRET: STRONG });
    expect(config.catalogSecret).toBeUndefined();
    expect(config.warnings).toEqual([expect.stringContaining('CATALOG_SECRET')]);
  });

  it.each([
    ['missing', {}],
    ['shorter than 32 bytes', { SITE_IDENTITY_SECRET: 'k'.repeat(31) }],
  ])('refuses to start on a non-loopback address with the identity secret %s, naming the variable', (_label, env) => {
    expect(() => readConfig({ DEMO_HOST: '0.0.0.0', ...env })).toThrow(/SITE_IDENTITY_SECRET/);
  });

  it.each([
    ['on loopback', { DEMO_HOST: '::1' }],
    ['with SESSIONFLOW_DEV=1', { DEMO_HOST: '0.0.0.0', SESSIONFLOW_DEV: '1' }],
  ])('starts %s without an identity secret, with a warning', (_label, env) => {
    expect(readConfig(env).warnings).toEqual([expect.stringContaining('SITE_IDENTITY_SECRET')]);
  });

  it.each(['eighty', '-1', '70000', '80.5'])('refuses DEMO_PORT=%s', (value) => {
    expect(() => readConfig({ DEMO_PORT: value })).toThrow(/DEMO_PORT/);
  });
});
