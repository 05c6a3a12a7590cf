import { describe, expect, it } from 'vitest';
import { mostRecentFirst, type RedisCommand } from '../src/pipeline/commands.js';
import { guardedBatchCall, packArguments } from '../src/store/guarded-batch.js';
import { BatchPlanError } from '../src/store/batch-checks.js';
import { EXPERIMENT_SCRIPT } from '../src/pipeline/experiments/script.js';

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

describe('guardedBatchCall', () => {
  it('passes guards, then the checks to read before writing, then each command with its argument count, and a planner script as a function of its arguments', () => {
    const call = guardedBatchCall(
      [
        { key: 'offset', expected: '41' },
        { key: 'seen:e1', expected: null },
        { key: 'session:s1', field: 'version', expected: '3' },
      ],
      [
        ['SET', 'seen:e1', '1', 'EX', '60'],
        ['HINCRBY', 'counts', 'n', '2'],
        ['EVAL', EXPERIMENT_SCRIPT, '0', 'exposure', 'x:counts', 'x:units', 'unit-1', 'A'],
        ['SET', 'offset', '42'],
      ],
    );
    expect(call.args).toEqual([
      '3', 'offset', '', '1', '41', 'seen:e1', '', '0', '', 'session:s1', 'version', '1', '3',
      // The key types first, in the order first needed (the script declares its units hash, then its counts hash), then the fields.
      '5', 'T', 'counts', 'hash', '', '', 'T', 'x:units', 'hash', '', '', 'T', 'x:counts', 'hash', '', '', 'I', 'counts', 'n', '2', '0', 'A', 'x:counts', '2', '', '',
      '5', 'SET', 'seen:e1', '1', 'EX', '60', '4', 'HINCRBY', 'counts', 'n', '2', '6', '#1', 'exposure', 'x:counts', 'x:units', 'unit-1', 'A', '3', 'SET', 'offset', '42',
    ]);
    expect(call.script).toContain(`function(ARGV)\n${EXPERIMENT_SCRIPT}\nend`);
  });

  it('refuses a planner script that names keys, one that declares nothing, a command too long to pass on, and one the checks do not know', () => {
    expect(() => guardedBatchCall([], [['EVAL', 'return 0', '1', 'k']])).toThrow(/numkeys 0/);
    expect(() => guardedBatchCall([], [['EVAL', 'return 0', '0', 'k']])).toThrow(BatchPlanError);
    expect(() => guardedBatchCall([], [['SADD', 'k', ...Array.from({ length: 8_000 }, (_, i) => String(i))]])).toThrow(/arguments/);
    expect(() => guardedBatchCall([], [['SET', 'offset', '1'], ['FLUSHALL']])).toThrow(/FLUSHALL is not a command the batch checks know/);
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
