import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';

describe('resolveConfig', () => {
  it('builds the collect URL from the endpoint and the site key', () => {
    const config = resolveConfig({ siteKey: 'demo site&key', endpoint: 'https://edge.example.com/' });
    expect(config.collectUrl).toBe('https://edge.example.com/v1/collect?site=demo%20site%26key');
  });

  it('applies defaults: flush every second, batches of 20, requests abandoned after 10 s, quiet', () => {
    expect(resolveConfig({ siteKey: 'k', endpoint: 'http://127.0.0.1:8787' })).toMatchObject({
      flushIntervalMs: 1000,
      maxBatch: 20,
      requestTimeoutMs: 10_000,
      debug: false,
    });
  });

  it('takes a request timeout, and ignores one that is not a positive number', () => {
    expect(resolveConfig({ siteKey: 'k', endpoint: 'http://e.test', requestTimeoutMs: 2500 }).requestTimeoutMs).toBe(2500);
    expect(resolveConfig({ siteKey: 'k', endpoint: 'http://e.test', requestTimeoutMs: 0 }).requestTimeoutMs).toBe(10_000);
    // The script tag passes Number(data-request-timeout-ms): NaN when the attribute is absent.
    expect(resolveConfig({ siteKey: 'k', endpoint: 'http://e.test', requestTimeoutMs: Number(undefined) }).requestTimeoutMs).toBe(10_000);
  });

  it('caps batches at the 500 events the edge takes, and ignores nonsense sizes', () => {
    expect(resolveConfig({ siteKey: 'k', endpoint: 'http://e.test', maxBatch: 10_000 }).maxBatch).toBe(500);
    expect(resolveConfig({ siteKey: 'k', endpoint: 'http://e.test', maxBatch: -3, flushIntervalMs: Number.NaN })).toMatchObject({
      maxBatch: 20,
      flushIntervalMs: 1000,
    });
  });

  it.each([
    [{ siteKey: '', endpoint: 'http://e.test' }, /siteKey/],
    [{ siteKey: 'k', endpoint: '' }, /endpoint/],
    [{ siteKey: 'k', endpoint: 'edge.example.com' }, /endpoint/],
  ])('refuses %j', (options, message) => {
    expect(() => resolveConfig(options)).toThrow(message);
  });
});
