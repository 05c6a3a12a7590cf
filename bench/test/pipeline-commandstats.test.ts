import { describe, expect, it } from 'vitest';
import { commandStatsOfInfo, commandsPerEvent } from '../src/pipeline/cpu-parse.js';

// As redis-server 7.0 answers INFO commandstats (CRLF line ends).
const info = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

describe('commandStatsOfInfo', () => {
  it('reads calls and usec of each command, sub-commands included', () => {
    const stats = commandStatsOfInfo(
      info([
        '# Commandstats',
        'cmdstat_set:calls=300,usec=450,usec_per_call=1.50,rejected_calls=0,failed_calls=0',
        'cmdstat_evalsha:calls=7,usec=9100,usec_per_call=1300.00,rejected_calls=0,failed_calls=0',
        'cmdstat_client|setname:calls=2,usec=3,usec_per_call=1.50,rejected_calls=0,failed_calls=0',
      ]),
    );
    expect(stats.get('set')).toEqual({ calls: 300, usec: 450 });
    expect(stats.get('evalsha')).toEqual({ calls: 7, usec: 9100 });
    expect(stats.get('client|setname')).toEqual({ calls: 2, usec: 3 });
    expect(stats.size).toBe(3);
  });
});

describe('commandsPerEvent', () => {
  it('divides what happened between two readings by the events, the most costly first, leaving out commands not called', () => {
    const before = commandStatsOfInfo(info(['cmdstat_set:calls=100,usec=100', 'cmdstat_get:calls=10,usec=10']));
    const after = commandStatsOfInfo(info(['cmdstat_set:calls=300,usec=500', 'cmdstat_get:calls=10,usec=10', 'cmdstat_evalsha:calls=4,usec=1000']));
    expect(commandsPerEvent(before, after, 100)).toEqual([
      { command: 'evalsha', callsPerEvent: 0.04, usPerEvent: 10 },
      { command: 'set', callsPerEvent: 2, usPerEvent: 4 },
    ]);
  });

  it('refuses a window of no events', () => {
    expect(() => commandsPerEvent(new Map(), new Map(), 0)).toThrow(/events/);
  });
});
