import { describe, expect, it } from 'vitest';
import { mostRecentFirst, type RedisCommand } from '../src/pipeline/commands.js';
import { packArguments } from '../src/store/guarded-batch.js';

function run(start: readonly string[], commands: readonly RedisCommand[]): string[] {
  let list = [...start];
  for (const command of commands) {
    const [name, , a = '', b = ''] = command;
    if (name === 'LREM') list = list.filter((v) => v !== b);
    else if (name === 'LPUSH') for (const value of command.slice(2)) list.unshift(value);
    else if (name === 'LTRIM') list = list.slice(Number(a), Number(b) + 1);
    else throw new Error(`unexpected ${name}`);
  }
  return list;
}

describe('mostRecentFirst', () => {
  it('leaves the list that one LREM, LPUSH and LTRIM per id would, however the ids are cut into batches', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const ids = Array.from({ length: Math.floor(random() * 40) }, () => `p${Math.floor(random() * 12)}`);
      const start = [...new Set(Array.from({ length: Math.floor(random() * 8) }, () => `p${Math.floor(random() * 12)}`))];
      const limit = 1 + Math.floor(random() * 6);
      const oneByOne = ids.reduce((list, id) => run(list, [['LREM', 'k', '0', id], ['LPUSH', 'k', id], ['LTRIM', 'k', '0', String(limit - 1)]]), start);
      const cut = Math.floor(random() * (ids.length + 1));
      const inTwoBatches = run(run(start, mostRecentFirst('k', ids.slice(0, cut), limit)), mostRecentFirst('k', ids.slice(cut), limit));
      expect(inTwoBatches).toEqual(oneByOne);
      expect(run(start, mostRecentFirst('k', ids, limit))).toEqual(oneByOne);
    }
  });
});

describe('packArguments', () => {
  it('is the JSON array of the arguments, strings kept as they are', () => {
    const args = ['2', 'k', '', '1', 'a "quoted" \\ value', 'ünï €', '👍'];
    expect(JSON.parse(packArguments(args))).toEqual(args);
  });

  it('turns a lone surrogate into U+FFFD, as its UTF-8 bytes as a plain argument would have been, and keeps pairs', () => {
    const cut = '👍'.slice(0, 1);
    const packed = packArguments(['1', `text ${cut}`, '👍', '\\ud800 written out']);
    expect(packed).not.toContain('\\ud83d');
    expect(JSON.parse(packed)).toEqual(['1', 'text \ufffd', '👍', '\\ud800 written out']);
  });
});
