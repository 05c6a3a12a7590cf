import calculateSlot from 'cluster-key-slot';
import { describe, expect, test } from 'vitest';
import { readConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createStoreClient } from '../src/store/client.js';
import { nodeCredentials, scriptSlot } from '../src/store/cluster.js';
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
  test('a script slot is the one slot of its keys; none or several are refused, naming the keys and slots', () => {
    expect(scriptSlot(['p:{sf.events.by-user:7}:a', 'p:{sf.events.by-user:7}:b'])).toBe(calculateSlot('sf.events.by-user:7'));
    expect(() => scriptSlot([])).toThrow('a script must declare the keys it touches');
    expect(() => scriptSlot(['{t:1}x', '{t:1}y', '{t:2}x'])).toThrow(
      `a script's keys must be of one slot: "{t:1}x" is in slot ${calculateSlot('t:1')}, "{t:2}x" in slot ${calculateSlot('t:2')}`,
    );
  });

  test('keys of different hash tags, or of none, are of one slot when their slots are equal', () => {
    // Two tags that hash to one slot, found by trying: the check compares slots, not only tags.
    const slotOf = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const tag = `tag-${i}`;
      const seen = slotOf.get(calculateSlot(tag));
      if (seen !== undefined) pair = [seen, tag];
      else slotOf.set(calculateSlot(tag), tag);
    }
    const [a, b] = pair;
    expect(scriptSlot([`{${a}}:x`, `p:{${b}}:y`, b])).toBe(calculateSlot(a));
    // An empty tag is no tag: the whole key is hashed, so '{}x' is not in the slot of 'x'.
    expect(() => scriptSlot(['x', '{}x'])).toThrow(/must be of one slot/);
  });
});

test("the first root URL's user and password are every node's", () => {
  expect(nodeCredentials('redis://app:s%40cret@10.0.0.1:6379')).toEqual({ username: 'app', password: 's@cret' });
  expect(nodeCredentials('redis://:pw@10.0.0.1:6379')).toEqual({ password: 'pw' });
  expect(nodeCredentials('redis://10.0.0.1:6379')).toEqual({});
});
