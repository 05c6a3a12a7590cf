/** The local stack's secrets: one per scope, random, kept by npm start in a file only its owner reads. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dotenv } from '../src/secrets/dotenv.js';
import { completeSecrets, generateSecrets, secretFields } from '../src/secrets/local-secrets.js';
import { loadOrCreateSecrets } from '../src/secrets/secrets-file.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sf-secrets-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('generateSecrets', () => {
  it('makes a different secret of at least 32 bytes for every scope and every site', () => {
    const secrets = generateSecrets(['shop-a', 'shop-b']);
    const fields = secretFields(secrets);
    expect(fields.map(([field]) => field)).toEqual([
      'relay',
      'read',
      'catalog',
      'admin',
      'erasure',
      'edgeAdmin',
      'sites.shop-a.identity',
      'sites.shop-a.server',
      'sites.shop-b.identity',
      'sites.shop-b.server',
    ]);
    for (const [, value] of fields) expect(Buffer.byteLength(value)).toBeGreaterThanOrEqual(32);
    expect(new Set(fields.map(([, value]) => value)).size).toBe(fields.length);
    // Random, not derived: another call shares nothing.
    const again = new Set(secretFields(generateSecrets(['shop-a'])).map(([, value]) => value));
    expect(fields.filter(([, value]) => again.has(value))).toEqual([]);
  });
});

describe('completeSecrets', () => {
  it('keeps what is stored and fills what is missing, naming it', () => {
    const stored = generateSecrets(['shop-a']);
    const partial = { ...stored, catalog: undefined, sites: {} };
    const { secrets, added } = completeSecrets(JSON.parse(JSON.stringify(partial)), ['shop-a']);
    expect(secrets.relay).toBe(stored.relay);
    expect(secrets.read).toBe(stored.read);
    expect(added).toEqual(['catalog', 'sites.shop-a.identity', 'sites.shop-a.server']);
    expect(secrets.catalog).not.toBe(stored.catalog);
  });

  it.each([
    ['a short secret', { read: 'local-dev-read-secret' }, /^read: .*32 bytes/],
    ['a secret that is not a string', { relay: 42 }, /^relay: /],
    ['two scopes sharing one value', { admin: 'x'.repeat(40), edgeAdmin: 'x'.repeat(40) }, /^edgeAdmin: the same value as admin/],
    ['a site that is not an object', { sites: { 'shop-a': 'secret' } }, /^sites\.shop-a: must be an object/],
  ])('refuses %s, naming the field', (_label, change, message) => {
    const stored = { ...generateSecrets(['shop-a']), ...change };
    expect(() => completeSecrets(stored, ['shop-a'])).toThrow(message);
  });
});

describe('loadOrCreateSecrets', () => {
  it('makes the file on the first start, readable by its owner only, and gives the same secrets on the next', () => {
    const file = path.join(tempDir(), '.run', 'secrets.json');
    const first = loadOrCreateSecrets(file, ['demo-site-key']);
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first.secrets);
    const next = loadOrCreateSecrets(file, ['demo-site-key']);
    expect(next).toEqual({ secrets: first.secrets, created: false, added: [] });
  });

  it('adds a scope the file lacks and writes it back', () => {
    const file = path.join(tempDir(), 'secrets.json');
    const { erasure: _dropped, ...older } = generateSecrets(['demo-site-key']);
    writeFileSync(file, JSON.stringify(older));
    const loaded = loadOrCreateSecrets(file, ['demo-site-key']);
    expect(loaded.added).toEqual(['erasure']);
    expect(loaded.secrets.relay).toBe(older.relay);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { erasure: string }).erasure).toBe(loaded.secrets.erasure);
  });

  it('says which file is broken and how to start afresh', () => {
    const file = path.join(tempDir(), 'secrets.json');
    writeFileSync(file, '{ not json');
    expect(() => loadOrCreateSecrets(file, ['demo-site-key'])).toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not JSON.*delete it`));
  });
});

describe('dotenv', () => {
  it('writes each value single-quoted, so JSON stays as it is', () => {
    const text = dotenv({ RELAY_HMAC_SECRET: 'abc', SITE_SECRETS: '{"k":{"identity":"i","server":"s"}}' });
    expect(text).toBe(`RELAY_HMAC_SECRET='abc'\nSITE_SECRETS='{"k":{"identity":"i","server":"s"}}'\n`);
  });

  it.each([
    [{ 'NOT-A-NAME': 'x' }, /NOT-A-NAME/],
    [{ A: "it's" }, /^A: /],
    [{ B: 'two\nlines' }, /^B: /],
  ])('refuses what it cannot write faithfully: %j', (values, message) => {
    expect(() => dotenv(values)).toThrow(message);
  });
});
