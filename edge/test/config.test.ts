import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_RELAY_TIMEOUT_MS, edgeConfig, parseConfig } from '../src/config.js';
import type { EdgeBindings } from '../src/env.js';

const valid: EdgeBindings = {
  COLLECTOR_URL: 'http://127.0.0.1:8788/',
  SITES: '{"shop":{"origins":["https://shop.example","http://localhost:8080"]}}',
  RELAY_HMAC_SECRET: 's3cret',
};

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
    expect(config.sites.get('shop')!.allowMissingOrigin).toBe(true);
    expect(config.maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(config.relayTimeoutMs).toBe(DEFAULT_RELAY_TIMEOUT_MS);
    expect(new TextDecoder().decode(config.relaySecret!)).toBe('s3cret');
  });

  it('takes numbers given as strings or numbers', () => {
    expect(parseConfig({ ...valid, MAX_BODY_BYTES: '1024' }).maxBodyBytes).toBe(1024);
    expect(parseConfig({ ...valid, RELAY_TIMEOUT_MS: 750 }).relayTimeoutMs).toBe(750);
  });

  it('leaves the secret null when unset, rather than failing the whole config', () => {
    expect(parseConfig({ ...valid, RELAY_HMAC_SECRET: undefined }).relaySecret).toBeNull();
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
