import { describe, expect, it } from 'vitest';
import { machineCpuOfProcStat, processCpuOfStat, redisCpuOfInfo, redisRoleOfInfo } from '../src/pipeline/cpu-parse.js';

// As redis-server 7.0 answers INFO (CRLF line ends).
const info = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

describe('redisCpuOfInfo', () => {
  it('adds user and system time of the server, and of its forks apart', () => {
    const cpu = redisCpuOfInfo(
      info(['# CPU', 'used_cpu_sys:1.250000', 'used_cpu_user:2.500000', 'used_cpu_sys_children:0.125000', 'used_cpu_user_children:0.250000', 'used_cpu_sys_main_thread:1.000000', 'used_cpu_user_main_thread:2.000000']),
    );
    expect(cpu.self).toBeCloseTo(3.75, 9);
    expect(cpu.children).toBeCloseTo(0.375, 9);
  });

  it('does not take the main thread fields for the process fields', () => {
    const cpu = redisCpuOfInfo(info(['# CPU', 'used_cpu_sys_main_thread:9.000000', 'used_cpu_user_main_thread:9.000000', 'used_cpu_sys:0.500000', 'used_cpu_user:0.250000']));
    expect(cpu.self).toBeCloseTo(0.75, 9);
    expect(cpu.children).toBe(0);
  });

  it('names the field an answer lacks', () => {
    expect(() => redisCpuOfInfo(info(['# CPU', 'used_cpu_user:2.5']))).toThrow(/used_cpu_sys/);
  });
});

describe('redisRoleOfInfo', () => {
  it('tells a master from a replica', () => {
    expect(redisRoleOfInfo(info(['# Replication', 'role:master', 'connected_slaves:1']))).toBe('master');
    expect(redisRoleOfInfo(info(['# Replication', 'role:slave', 'master_host:127.0.0.1']))).toBe('replica');
  });

  it('refuses an answer without a role', () => {
    expect(() => redisRoleOfInfo(info(['# Replication']))).toThrow(/role/);
  });
});

describe('processCpuOfStat', () => {
  it('reads utime + stime past a command name with spaces and parentheses', () => {
    const stat = '4242 (node (pipe) x) S 1 4242 9401 0 -1 4194304 103 0 0 0 250 125 7 8 20 0 1 0 2649051 3133440 381';
    expect(processCpuOfStat(stat)).toBeCloseTo(3.75, 9);
  });
});

describe('machineCpuOfProcStat', () => {
  it('counts user, nice, system, irq and softirq as busy, and steal apart', () => {
    const stat = 'cpu  1000 20 300 9000 50 5 15 200 0 0\ncpu0 500 10 150 4500 25 2 7 100 0 0\nintr 1 2 3\n';
    const cpu = machineCpuOfProcStat(stat);
    expect(cpu.busy).toBeCloseTo(13.4, 9);
    expect(cpu.steal).toBeCloseTo(2, 9);
  });

  it('refuses a text without the aggregate line', () => {
    expect(() => machineCpuOfProcStat('cpu0 1 2 3 4\n')).toThrow(/aggregate/);
  });
});
