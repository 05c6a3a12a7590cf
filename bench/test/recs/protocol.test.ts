/** The evaluation protocol's pieces on tiny hand-made files in a temporary folder. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitGiven, splitSingle } from '../../src/recs/protocol.js';
import { detectFormat, readSessionLog, SessionLogError } from '../../src/recs/session-log.js';

const dir = mkdtempSync(path.join(tmpdir(), 'recs-protocol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: string[]): string {
  const at = path.join(dir, name);
  writeFileSync(at, `${lines.join('\n')}\n`);
  return at;
}

const DIGINETICA = 'session_id;user_id;item_id;timeframe;eventdate';
const day = (date: string): number => Date.parse(`${date}T00:00:00Z`);

describe('format detection', () => {
  it.each([
    [DIGINETICA, 'diginetica'],
    [`\uFEFF${DIGINETICA}\r`, 'diginetica'],
    ['SessionId\tItemId\tTime', 'session-item-time'],
  ] as const)('%j is %s', (header, format) => {
    expect(detectFormat(header)).toBe(format);
  });

  it.each(['SessionId,ItemId,Time', 'session_id;item_id;timeframe;eventdate', ''])('refuses %j, naming both formats', (header) => {
    expect(() => detectFormat(header)).toThrow(/unknown header .*session_id;user_id;item_id;timeframe;eventdate/);
  });
});

describe('reading a log', () => {
  it('orders a Diginetica session by timeframe, not by line, and dates it by eventdate', () => {
    const at = file('order.csv', [DIGINETICA, '7;NA;b;900;2016-01-20', '7;NA;a;100;2016-01-20', '7;NA;c;300;2016-01-20']);
    const { format, views } = readSessionLog(at);
    expect(format).toBe('diginetica');
    expect(views.map((v) => v.time)).toEqual([day('2016-01-20') + 900, day('2016-01-20') + 100, day('2016-01-20') + 300]);
    expect(splitGiven(views, []).train[0]!.items).toEqual(['a', 'c', 'b']);
  });

  it('reads the tab-separated format, Time in seconds (1453334400 s is 2016-01-21, day 16821)', () => {
    const at = file('log.tsv', ['SessionId\tItemId\tTime', '1\tx\t1453334400.5', '1\ty\t1453334401']);
    const { format, views } = readSessionLog(at);
    expect(format).toBe('session-item-time');
    expect(views.map((v) => [v.session, v.item, v.time, v.day])).toEqual([
      ['1', 'x', 1453334400500, 16821],
      ['1', 'y', 1453334401000, 16821],
    ]);
  });

  it('says which file could not be read', () => {
    const missing = path.join(dir, 'missing.csv');
    expect(() => readSessionLog(missing)).toThrow(new SessionLogError(`cannot read ${missing}: no such file (ENOENT)`));
  });

  it('names the file and line of a malformed row', () => {
    const at = file('bad.csv', [DIGINETICA, '1;NA;a;10;2016-01-20', '1;NA;b;soon;2016-01-20']);
    expect(() => readSessionLog(at)).toThrow(`${at}: ${at}:3: timeframe "soon" is not a number`);
  });

  it('names the file with an unknown header', () => {
    const at = file('other.csv', ['user,item,time', 'u,a,1']);
    expect(() => readSessionLog(at)).toThrow(new RegExp(`^${at.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: unknown header`));
  });
});

describe('the single-file protocol', () => {
  // a and b are viewed often; c 4 times (below 5, dropped), e exactly 5 times but only in the test
  // week; d and z once. The last day is 2016-01-20, so the test week is 14th–20th.
  const rows: [number, string, string, string][] = [
    [1, 'a', '0', '2016-01-01'], [1, 'b', '10', '2016-01-01'],
    [2, 'a', '0', '2016-01-02'], [2, 'b', '10', '2016-01-02'],
    [3, 'a', '0', '2016-01-03'], [3, 'b', '10', '2016-01-03'], [3, 'c', '20', '2016-01-03'],
    [4, 'a', '0', '2016-01-05'], [4, 'b', '10', '2016-01-05'],
    [5, 'a', '0', '2016-01-06'], // one view: dropped before items are counted
    [6, 'c', '0', '2016-01-13'], [6, 'd', '10', '2016-01-13'], // nothing left after filtering
    [9, 'c', '0', '2016-01-13'], [9, 'z', '10', '2016-01-13'],
    [13, 'a', '0', '2016-01-13'], [13, 'b', '10', '2016-01-13'], // the last training day
    [7, 'a', '0', '2016-01-14'], [7, 'b', '10', '2016-01-14'], // the first test day
    [8, 'b', '900', '2016-01-20'], [8, 'a', '100', '2016-01-20'], [8, 'c', '300', '2016-01-20'],
    [10, 'a', '0', '2016-01-15'], [10, 'e', '10', '2016-01-15'], [10, 'e', '20', '2016-01-15'],
    [11, 'e', '0', '2016-01-16'], [11, 'e', '10', '2016-01-16'], [11, 'b', '20', '2016-01-16'],
    [12, 'e', '0', '2016-01-17'], [12, 'b', '10', '2016-01-17'],
  ];

  it('filters, splits off the last 7 days and skips test items unseen in training', () => {
    const at = file('single.csv', [DIGINETICA, ...rows.map(([s, item, tf, date]) => `${s};NA;${item};${tf};${date}`)]);
    const split = splitSingle(readSessionLog(at).views);
    expect(split.train.map((s) => [s.id, s.items])).toEqual([
      ['1', ['a', 'b']],
      ['2', ['a', 'b']],
      ['3', ['a', 'b']],
      ['4', ['a', 'b']],
      ['13', ['a', 'b']],
    ]);
    expect(split.test.map((s) => [s.id, s.items])).toEqual([
      ['7', ['a', 'b']],
      ['8', ['a', 'b']],
    ]);
    expect(split.counts).toMatchObject({
      sessions: 13,
      sessionsAfterFiltering: 10,
      trainSessions: 5,
      testSessions: 2,
      testViewsSkipped: 5,
      firstTestDay: day('2016-01-14') / 86_400_000,
    });
  });
});

describe('separate train and test files', () => {
  it('uses them as given, skipping test views of items training never saw', () => {
    const train = file('train.tsv', ['SessionId\tItemId\tTime', 'S1\tx\t10', 'S1\ty\t20', 'S2\ty\t30', 'S2\tz\t40', 'S3\tw\t50']);
    const test = file('test.tsv', ['SessionId\tItemId\tTime', 'T1\tx\t100', 'T1\tq\t110', 'T1\ty\t120', 'T2\tq\t130', 'T2\tx\t140']);
    const split = splitGiven(readSessionLog(train).views, readSessionLog(test).views);
    // A one-view training session stays: prepared files are not filtered again.
    expect(split.train.map((s) => s.items)).toEqual([['x', 'y'], ['y', 'z'], ['w']]);
    expect(split.test.map((s) => [s.id, s.items, s.times])).toEqual([['T1', ['x', 'y'], [100_000, 120_000]]]);
    expect(split.counts).toEqual({ trainSessions: 3, testSessions: 1, testViewsSkipped: 2 });
  });
});
