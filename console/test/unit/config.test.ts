import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, readConfig } from '../../src/config.js';

const strong = { READ_API_SECRET: 'r'.repeat(40), ADMIN_SECRET: 'a'.repeat(40) };

describe('readConfig', () => {
  it('runs against the local stack by default, warning about the development secrets', () => {
    const { config, warnings } = readConfig({});
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.port).toBe(8791);
    expect(warnings.join('\n')).toMatch(/READ_API_SECRET/);
    expect(warnings.join('\n')).toMatch(/ADMIN_SECRET/);
  });

  it('refuses weak secrets off loopback, naming each variable', () => {
    expect(() => readConfig({ CONSOLE_HOST: '0.0.0.0' })).toThrow(/READ_API_SECRET is not set[\s\S]*ADMIN_SECRET is not set/);
    expect(() => readConfig({ CONSOLE_HOST: '0.0.0.0', READ_API_SECRET: 'r'.repeat(40), ADMIN_SECRET: 'short' })).toThrow(/ADMIN_SECRET is shorter than 32 bytes/);
    expect(() => readConfig({ CONSOLE_HOST: '0.0.0.0', READ_API_SECRET: 'x'.repeat(40), ADMIN_SECRET: 'x'.repeat(40) })).toThrow(/READ_API_SECRET and ADMIN_SECRET hold the same value/);
  });

  it('starts off loopback with strong secrets, or with SESSIONFLOW_DEV=1 and a warning', () => {
    expect(readConfig({ CONSOLE_HOST: '0.0.0.0', ...strong }).warnings).toEqual([]);
    expect(readConfig({ CONSOLE_HOST: '0.0.0.0', SESSIONFLOW_DEV: '1' }).warnings[0]).toMatch(/SESSIONFLOW_DEV=1/);
  });

  it('names the variable of an unusable value', () => {
    expect(() => readConfig({ CONSOLE_PORT: 'eighty' })).toThrow(/CONSOLE_PORT must be a whole number/);
    expect(() => readConfig({ COLLECTOR_URL: 'ftp://x' })).toThrow(/COLLECTOR_URL must be an http\(s\) URL/);
    expect(() => readConfig({ CONSOLE_POLL_MS: '5' })).toThrow(/CONSOLE_POLL_MS must be between 100/);
  });
});
