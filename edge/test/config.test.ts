import { describe, expect, it } from 'vitest';
import {
  DEFAULT_IDENTITY_TOKEN_MAX_TTL_S,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_RATE_LIMIT_PERIOD_S,
  DEFAULT_RELAY_TIMEOUT_MS,
  DEFAULT_VISITOR_RETAIN_MS,
  edgeConfig,
  parseConfig,
} from '../src/config.js';
import { DEFAULT_EDGE_DEGRADE_POLICY } from '../src/degrade/policy.js';
import type { EdgeBindings } from '../src/env.js';

const valid: EdgeBindings = {
  COLLECTOR_URL: 'http://127.0.0.1:8788/',
  SITES: '{"shop":{"origins":["https://shop.example","http://localhost:8080"]}}',
  RELAY_HMAC_SECRET: 's3cret',
};

const IDENTITY = 'identity-secret-of-the-shop-32-bytes!';
const SERVER = 'server-secret-of-the-shop-at-least-32-bytes';
const ADMIN = 'admin-secret-of-the-edge-at-least-32-bytes';

function configError(bindings: EdgeBindings): string {
  try {
    parseConfig(bindings);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('parseConfig', () => {
  it('reads sites, defaults and the secret', () => {
    const config = parseConfig(valid);
    expect(config.collectorUrl).toBe('http://127.0.0.1:8788');
    expect([...config.sites.get('shop')!.origins]).toEqual(['https://shop.example', 'http://localhost:8080']);
    expect(config.sites.get('shop')!.allowMissingOrigin).toBe(false);
    expect(config.sites.get('shop')!.identity).toBe('token');
    expect(config.sites.get('shop')!.secrets).toEqual({});
    expect(config.adminSecret).toBeNull();
    expect(config.identityTokenMaxTtlS).toBe(DEFAULT_IDENTITY_TOKEN_MAX_TTL_S);
    expect(config.visitorRetainMs).toBe(DEFAULT_VISITOR_RETAIN_MS);
    expect(config.rateLimitPeriodS).toBe(DEFAULT_RATE_LIMIT_PERIOD_S);
    expect(config.maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(config.relayTimeoutMs).toBe(DEFAULT_RELAY_TIMEOUT_MS);
    expect(new TextDecoder().decode(config.relaySecret!)).toBe('s3cret');
  });

  it('takes numbers given as strings or numbers', () => {
    expect(parseConfig({ ...valid, MAX_BODY_BYTES: '1024' }).maxBodyBytes).toBe(1024);
    expect(parseConfig({ ...valid, RELAY_TIMEOUT_MS: 750 }).relayTimeoutMs).toBe(750);
  });

  it('takes strong relay and read secrets with a collector off loopback, and weak ones only with one on it', () => {
    const strong = { RELAY_HMAC_SECRET: 'relay-secret-of-the-edge-at-least-32-bytes', COLLECTOR_READ_SECRET: 'read-secret-of-the-edge-at-least-32-bytes' };
    expect(parseConfig({ ...valid, ...strong, COLLECTOR_URL: 'https://collector.example' }).collectorUrl).toBe('https://collector.example');
    expect(parseConfig({ ...valid, RELAY_HMAC_SECRET: 'local-dev-relay-secret', COLLECTOR_URL: 'http://localhost:8788' }).relaySecret).not.toBeNull();
  });

  it('reads the site secrets, the identity mode and the admin secret', () => {
    const config = parseConfig({
      ...valid,
      SITES: '{"shop":{"origins":["http://127.0.0.1:8080","http://[::1]:3000","http://localhost"],"allowMissingOrigin":true,"identity":"client"}}',
      SITE_SECRETS: JSON.stringify({ shop: { identity: IDENTITY, server: SERVER } }),
      ADMIN_SECRET: ADMIN,
      VISITOR_RETAIN_MS: '0',
    });
    expect(config.sites.get('shop')).toMatchObject({ allowMissingOrigin: true, identity: 'client', secrets: { identity: IDENTITY, server: SERVER } });
    expect(config.adminSecret).toBe(ADMIN);
    expect(config.visitorRetainMs).toBe(0);
  });

  it('leaves the secret null when unset, rather than failing the whole config', () => {
    expect(parseConfig({ ...valid, RELAY_HMAC_SECRET: undefined }).relaySecret).toBeNull();
  });

  it('never puts a secret\'s value in its message', () => {
    const secret = 'a-secret-that-is-far-too-short';
    expect(configError({ ...valid, SITE_SECRETS: JSON.stringify({ shop: { identity: secret } }) })).not.toContain(secret);
    expect(configError({ ...valid, SITE_SECRETS: `{"shop":{"identity":"${secret}"` })).not.toContain(secret);
    expect(configError({ ...valid, ADMIN_SECRET: secret })).not.toContain(secret);
  });

  it.each([
    [{ COLLECTOR_URL: undefined }, /^COLLECTOR_URL: is not set/],
    [{ COLLECTOR_URL: 'collector:8788' }, /^COLLECTOR_URL: /],
    [{ SITES: undefined }, /^SITES: is not set/],
    [{ SITES: '[1]' }, /^SITES: must be a JSON object/],
    [{ SITES: '{"shop":{"origin":["https://shop.example"]}}' }, /^SITES\.shop: unknown key "origin"/],
    [{ SITES: '{"shop":{"origins":["https://shop.example/path"]}}' }, /^SITES\.shop\.origins: /],
    [{ SITES: '{"shop":{"origins":[],"allowMissingOrigin":"yes"}}' }, /^SITES\.shop\.allowMissingOrigin: /],
    [{ MAX_BODY_BYTES: '0' }, /^MAX_BODY_BYTES: must be a positive integer/],
    [{ RELAY_TIMEOUT_MS: 'soon' }, /^RELAY_TIMEOUT_MS: must be a positive integer/],
    [{ SITES: '{"shop":{"origins":[],"identity":"browser"}}' }, /^SITES\.shop\.identity: /],
    [{ SITES: '{"shop:x":{"origins":[]}}' }, /^SITES: site key "shop:x" must be 1 to 128 of letters, digits/],
    [{ COLLECTOR_URL: 'https://collector.example', RELAY_HMAC_SECRET: 'local-dev-relay-secret' }, /^RELAY_HMAC_SECRET: is a development default/],
    [{ COLLECTOR_URL: 'https://collector.example', RELAY_HMAC_SECRET: 'relay-secret-of-the-edge-at-least-32-bytes', COLLECTOR_READ_SECRET: 'short-read-secret' }, /^COLLECTOR_READ_SECRET: must be at least 32 bytes outside local runs/],
    [{ SITES: '{"shop":{"origins":["http://localhost:8080","https://shop.example"],"identity":"client"}}' }, /^SITES\.shop\.identity: "client" is for development only, and https:\/\/shop\.example /],
    [{ SITE_SECRETS: '{"shop":' }, /^SITE_SECRETS: is not valid JSON/],
    [{ SITE_SECRETS: '{"other":{}}' }, /^SITE_SECRETS\.other: names no site of SITES/],
    [{ SITE_SECRETS: JSON.stringify({ shop: { identity: 'short' } }) }, /^SITE_SECRETS\.shop\.identity: must be at least 32 bytes/],
    [{ SITE_SECRETS: JSON.stringify({ shop: { server: 'x'.repeat(31) } }) }, /^SITE_SECRETS\.shop\.server: must be at least 32 bytes/],
    [{ SITE_SECRETS: JSON.stringify({ shop: { server: 42 } }) }, /^SITE_SECRETS\.shop\.server: must be a string/],
    [{ SITE_SECRETS: JSON.stringify({ shop: { identity: IDENTITY, server: IDENTITY } }) }, /^SITE_SECRETS\.shop\.server: must differ/],
    [{ SITE_SECRETS: JSON.stringify({ shop: { idenity: IDENTITY } }) }, /^SITE_SECRETS\.shop: unknown key "idenity"/],
    [{ ADMIN_SECRET: 'admin' }, /^ADMIN_SECRET: must be at least 32 bytes/],
    [{ ADMIN_SECRET: SERVER, SITE_SECRETS: JSON.stringify({ shop: { server: SERVER } }) }, /^ADMIN_SECRET: must differ/],
    [{ IDENTITY_TOKEN_MAX_TTL_S: '-1' }, /^IDENTITY_TOKEN_MAX_TTL_S: must be a positive integer/],
    [{ VISITOR_RETAIN_MS: 'a day' }, /^VISITOR_RETAIN_MS: must be a non-negative integer/],
    [{ RATE_LIMIT_PERIOD_S: '30' }, /^RATE_LIMIT_PERIOD_S: must be 10 or 60/],
  ] satisfies [Partial<EdgeBindings>, RegExp][])('names the bad var: %o', (override, message) => {
    expect(configError({ ...valid, ...override })).toMatch(message);
  });
});

describe('edgeConfig', () => {
  it('parses once for the same bindings and again when they change', () => {
    const first = edgeConfig(valid);
    expect(edgeConfig({ ...valid })).toBe(first);
    const changed = edgeConfig({ ...valid, MAX_BODY_BYTES: '2048' });
    expect(changed).not.toBe(first);
    expect(changed.maxBodyBytes).toBe(2048);
  });
});

describe('SF_EDGE_DEGRADE_POLICY', () => {
  it('is the default policy when unset, else the one given', () => {
    expect(parseConfig(valid).degradePolicy).toEqual(DEFAULT_EDGE_DEGRADE_POLICY);
    const own = { triggers: [{ signal: 'requests_per_s', level: 'popularity', enter: 50, exit: 20 }], recoverAfterMs: 5_000 };
    expect(parseConfig({ ...valid, SF_EDGE_DEGRADE_POLICY: JSON.stringify(own) }).degradePolicy).toEqual(own);
  });

  it('is refused naming the var and the path inside it', () => {
    const bad = { triggers: [{ signal: 'outbox_depth', level: 'data_only', enter: 20, exit: 5 }, { signal: 'outbox_depth', level: 'popularity', enter: 10, exit: -1, extra: 1 }], recoverAfterMs: 1_000 };
    expect(configError({ ...valid, SF_EDGE_DEGRADE_POLICY: JSON.stringify(bad) })).toMatch(/^SF_EDGE_DEGRADE_POLICY\.triggers\.1\.extra: /);
  });
});
