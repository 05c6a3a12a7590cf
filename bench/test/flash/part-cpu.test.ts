import { describe, expect, it } from 'vitest';
import { coresBetween, listeningInodes, statOf } from '../../src/flash/part-cpu.js';

// /proc/net/tcp as Linux prints it: a header, then one socket a line.
const table = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0000000000000000 100 0 0 10 0',
  '   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 20 4 30 10 -1',
  '   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 333 1 0000000000000000 100 0 0 10 0',
].join('\n');

describe('listeningInodes', () => {
  it('finds the listening socket of a port, not its connections, nor other ports', () => {
    expect(listeningInodes(table, 8080)).toEqual(['111']);
    expect(listeningInodes(table, 8081)).toEqual(['333']);
    expect(listeningInodes(table, 9999)).toEqual([]);
  });
});

describe('statOf', () => {
  it('reads the process group and CPU time past a command name with spaces and parentheses', () => {
    const stat = '4242 (node (pipe) x) S 1 4200 9401 0 -1 4194304 103 0 0 0 250 125 7 8 20 0 1 0 2649051 3133440 381';
    expect(statOf(stat)).toEqual({ pgrp: 4200, cpuS: 3.75 });
  });
});

describe('coresBetween', () => {
  it('is the CPU seconds spent over the wall seconds, per part', () => {
    expect(coresBetween({ edge: 10, kafka: 4 }, { edge: 13, kafka: 4.5 }, 4)).toEqual({ edge: 0.75, kafka: 0.125 });
  });
});
