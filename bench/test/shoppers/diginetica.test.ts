import { describe, expect, it } from 'vitest';
import { ItemViewLogError, parseItemViews } from '../../src/shoppers/diginetica.js';

const HEADER = 'session_id;user_id;item_id;timeframe;eventdate';
const log = (...lines: string[]) => [HEADER, ...lines].join('\n');

describe('parseItemViews', () => {
  it('groups views by session in time order, whatever the line order', () => {
    const sessions = parseItemViews(log('7;NA;300;9000;2016-05-09', '7;NA;100;1500;2016-05-09', '8;42;200;400;2016-05-10', '7;NA;200;4000;2016-05-09'));
    expect(sessions).toHaveLength(2);
    expect(sessions[0]!.views.map((v) => [v.item, v.atMs])).toEqual([
      ['100', 1500],
      ['200', 4000],
      ['300', 9000],
    ]);
    expect(sessions[1]!.views).toEqual([{ item: '200', atMs: 400, userId: '42' }]);
  });

  it('keeps NA as no user, view by view, so a sign-in on the way shows', () => {
    const [session] = parseItemViews(log('5;NA;1;100;2016-05-09', '5;9;2;200;2016-05-09'));
    expect(session!.views.map((v) => v.userId)).toEqual([undefined, '9']);
  });

  it('takes CRLF line ends, a byte-order mark and blank lines', () => {
    const sessions = parseItemViews(`\uFEFF${HEADER}\r\n1;NA;10;5;2016-05-09\r\n\r\n`);
    expect(sessions[0]!.views[0]!.item).toBe('10');
  });

  it('names what is wrong and where', () => {
    expect(() => parseItemViews('SessionId\tItemId\tTime\n1\t2\t3', 'views.csv')).toThrow(/views\.csv:1: expected the header/);
    expect(() => parseItemViews(log('1;NA;10;5'), 'views.csv')).toThrow(/views\.csv:2: expected 5 columns, got 4/);
    expect(() => parseItemViews(log('1;NA;10;5;2016-05-09', '1;NA;11;soon;2016-05-09'), 'views.csv')).toThrow(/views\.csv:3: timeframe must be whole ms/);
    expect(() => parseItemViews(log('1;NA;;5;2016-05-09'))).toThrow(/item_id is empty/);
    expect(() => parseItemViews(log())).toThrow(ItemViewLogError);
  });
});
