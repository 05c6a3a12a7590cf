import calculateSlot from 'cluster-key-slot';
import { describe, expect, test } from 'vitest';
import { readConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createStoreClient } from '../src/store/client.js';
import { bySlot, nodeCredentials, scriptSlot } from '../src/store/cluster.js';
import { storeUrls } from '../src/store/urls.js';

const quiet = createLogger('error', () => undefined);

describe('storeUrls (REDIS_URL)', () => {
  test('one URL, or several separated by commas, spaces and empty parts ignored', () => {
    expect(storeUrls('redis://127.0.0.1:6379')).toEqual(['redis://127.0.0.1:6379']);
    expect(storeUrls(' redis://127.0.0.1:7001, rediss://user:pw@10.0.0.2:7002,,')).toEqual(['redis://127.0.0.1:7001', 'rediss://user:pw@10.0.0.2:7002']);
  });

  test('refuses a part that is not a redis:// URL, naming the variable and the part', () => {
    expect(() => storeUrls('redis://127.0.0.1:7001,http://127.0.0.1:7002')).toThrow('REDIS_URL must start with redis:// or rediss:// (got "http://127.0.0.1:7002")');
    expect(() => storeUrls('redis://127.0.0.1:7001,127.0.0.1:7002')).toThrow('(got "127.0.0.1:7002")');
    expect(() => storeUrls('redis://127.0.0.1:7001,not a url')).toThrow('REDIS_URL must be a URL such as redis://127.0.0.1:6379, or several separated by commas (got "not a url")');
    expect(() => storeUrls(' , ')).toThrow(/^REDIS_URL must be a URL/);
  });
});

describe("the collector's REDIS_URL", () => {
  test('takes a cluster as several URLs, and refuses a bad part naming the variable', () => {
    expect(readConfig({ REDIS_URL: 'redis://127.0.0.1:7001,redis://127.0.0.1:7002' }).redisUrl).toBe('redis://127.0.0.1:7001,redis://127.0.0.1:7002');
    expect(() => readConfig({ REDIS_URL: 'redis://127.0.0.1:7001,tcp://127.0.0.1:7002' })).toThrow('REDIS_URL must start with redis:// or rediss:// (got "tcp://127.0.0.1:7002")');
  });
});

describe('createStoreClient', () => {
  test('several URLs are the root nodes of a cluster, known before connecting', () => {
    const client = createStoreClient('redis://127.0.0.1:7001,redis://127.0.0.1:7002', quiet);
    expect(client.kind).toBe('cluster');
    expect(client.isOpen).toBe(false);
  });

  test('one URL is a single Redis until the server says otherwise on connect', () => {
    const client = createStoreClient('redis://127.0.0.1:6379', quiet);
    expect(client.kind).toBe('single');
    expect(client.isReady).toBe(false);
    expect(() => client.get('k')).toThrow('The client is closed');
  });

  test('a bad REDIS_URL is refused at once', () => {
    expect(() => createStoreClient('http://127.0.0.1:6379', quiet)).toThrow('REDIS_URL must start with redis:// or rediss://');
  });
});

describe('slots', () => {
  test('bySlot groups keys by slot and keeps where each was asked', () => {
    const keys = ['{a}1', '{b}1', '{a}2', 'c', '{b}2'];
    const groups = [...bySlot(keys).entries()];
    expect(groups).toEqual([
      [calculateSlot('a'), { keys: ['{a}1', '{a}2'], at: [0, 2] }],
      [calculateSlot('b'), { keys: ['{b}1', '{b}2'], at: [1, 4] }],
      [calculateSlot('c'), { keys: ['c'], at: [3] }],
    ]);
  });

  test('a script slot is the one slot of its keys; none or several are refused, naming the keys and slots', () => {
    expect(scriptSlot(['p:{sf.events.by-user:7}:a', 'p:{sf.events.by-user:7}:b'])).toBe(calculateSlot('sf.events.by-user:7'));
    expect(() => scriptSlot([])).toThrow('a script must declare the keys it touches');
    expect(() => scriptSlot(['{t:1}x', '{t:1}y', '{t:2}x'])).toThrow(
      `a script's keys must be of one slot: "{t:1}x" is in slot ${calculateSlot('t:1')}, "{t:2}x" in slot ${calculateSlot('t:2')}`,
    );
  });
});

test("the first root URL's user and password are every node's", () => {
  expect(nodeCredentials('redis://app:s%40cret@10.0.0.1:6379')).toEqual({ username: 'app', password: 's@cret' });
  expect(nodeCredentials('redis://:pw@10.0.0.1:6379')).toEqual({ password: 'pw' });
  expect(nodeCredentials('redis://10.0.0.1:6379')).toEqual({});
});
