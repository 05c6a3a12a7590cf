import { describe, expect, it } from 'vitest';
import { isLoopbackHost, judgeSecrets, MIN_SECRET_BYTES, secretWeaknesses } from '../src/secrets/policy.js';

const setting = (variable: string, value: string) => ({ variable, value, devDefault: `dev-${variable}` });

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::ffff:10.0.0.1', 'collector.internal', 'localhost.example.com', ''])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('secretWeaknesses', () => {
  it('names a missing, a default, a short secret and a shared value; a strong distinct set has none', () => {
    const long = (c: string) => c.repeat(MIN_SECRET_BYTES);
    expect(secretWeaknesses([setting('A', long('a')), setting('B', long('b'))])).toEqual([]);
    const weaknesses = secretWeaknesses([setting('A', ''), setting('B', 'dev-B'), setting('C', long('c').slice(1)), setting('D', long('d')), setting('E', long('d'))]);
    expect(weaknesses).toEqual([
      expect.stringMatching(/^A is not set/),
      expect.stringMatching(/^B is not set \(or is the development default "dev-B"\)/),
      expect.stringMatching(/^C is shorter than 32 bytes/),
      expect.stringMatching(/^D and E hold the same value/),
    ]);
    // The values themselves never appear in a message.
    expect(weaknesses.join('\n')).not.toContain(long('d'));
  });
});

describe('judgeSecrets', () => {
  const weak = [setting('RELAY_HMAC_SECRET', 'dev-RELAY_HMAC_SECRET')];

  it('refuses off loopback, warns on loopback or in development mode', () => {
    expect(judgeSecrets({ secrets: weak, host: '0.0.0.0', hostVariable: 'COLLECTOR_HOST', devMode: false })).toEqual({
      refusals: [expect.stringContaining('RELAY_HMAC_SECRET')],
      warnings: [],
    });
    expect(judgeSecrets({ secrets: weak, host: '127.0.0.1', hostVariable: 'COLLECTOR_HOST', devMode: false })).toEqual({
      refusals: [],
      warnings: [expect.stringContaining('COLLECTOR_HOST=127.0.0.1 is loopback only')],
    });
    expect(judgeSecrets({ secrets: weak, host: '0.0.0.0', hostVariable: 'COLLECTOR_HOST', devMode: true })).toEqual({
      refusals: [],
      warnings: [expect.stringContaining('SESSIONFLOW_DEV=1')],
    });
  });
});
