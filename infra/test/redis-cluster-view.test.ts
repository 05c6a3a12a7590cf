import { describe, expect, test } from 'vitest';
import { parseClusterNodes, viewProblem } from '../src/redis/cluster-view.js';

// A reply of redis-server 7.0 (CLUSTER NODES) for 3 masters and 3 replicas, as seen from 7001.
const healthyReply = [
  'a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460',
  'a2 127.0.0.1:7002@17002 master - 0 1700000000000 2 connected 5461-10922',
  'a3 127.0.0.1:7003@17003 master - 0 1700000000000 3 connected 10923-16383',
  'b1 127.0.0.1:7004@17004 slave a1 0 1700000000000 1 connected',
  'b2 127.0.0.1:7005@17005 slave a2 0 1700000000000 2 connected',
  'b3 127.0.0.1:7006@17006 slave a3 0 1700000000000 3 connected',
].join('\n');
const all = new Set([7001, 7002, 7003, 7004, 7005, 7006]);

describe('parseClusterNodes', () => {
  test('reads ports, flags, masters and slot ranges, and leaves out slots being migrated', () => {
    const nodes = parseClusterNodes('x1 127.0.0.1:7001@17001,host.example myself,master - 0 0 1 connected 0-10 12 [13->-y2]\ny2 127.0.0.1:7002@17002 slave x1 0 0 1 connected\n');
    expect(nodes).toEqual([
      { id: 'x1', port: 7001, flags: ['myself', 'master'], masterId: undefined, slots: [[0, 10], [12, 12]] },
      { id: 'y2', port: 7002, flags: ['slave'], masterId: 'x1', slots: [] },
    ]);
  });

  test('refuses a line it cannot read', () => {
    expect(() => parseClusterNodes('garbage')).toThrow(/cannot read the line "garbage"/);
  });
});

describe('viewProblem', () => {
  test('a view with every slot on a running master and no failing node is healthy', () => {
    expect(viewProblem(7001, parseClusterNodes(healthyReply), all)).toBeUndefined();
  });

  test('slots on a failed master, before its replica took over', () => {
    const reply = healthyReply.replace('a2 127.0.0.1:7002@17002 master', 'a2 127.0.0.1:7002@17002 master,fail');
    const running = new Set([...all].filter((p) => p !== 7002));
    expect(viewProblem(7001, parseClusterNodes(reply), running)).toBe('node 7001 sees 5462 slots on node 7002, which is fail');
  });

  test('slots on a master that is not running but not yet marked failing', () => {
    const running = new Set([...all].filter((p) => p !== 7003));
    expect(viewProblem(7001, parseClusterNodes(healthyReply), running)).toBe('node 7001 sees 5461 slots on node 7003, which is not running');
  });

  test('after the failover: the killed master is failing but serves nothing, and is not running', () => {
    const reply = healthyReply
      .replace('a2 127.0.0.1:7002@17002 master - 0 1700000000000 2 connected 5461-10922', 'a2 127.0.0.1:7002@17002 master,fail - 0 1700000000000 2 disconnected')
      .replace('b2 127.0.0.1:7005@17005 slave a2 0 1700000000000 2 connected', 'b2 127.0.0.1:7005@17005 master - 0 1700000000000 7 connected 5461-10922');
    const running = new Set([...all].filter((p) => p !== 7002));
    expect(viewProblem(7001, parseClusterNodes(reply), running)).toBeUndefined();
    // Restarted, but the others still see it failing: not yet.
    expect(viewProblem(7001, parseClusterNodes(reply), all)).toBe('node 7001 sees node 7002 as fail');
  });

  test('a running node the view does not know, and slots nobody serves', () => {
    const withoutB3 = healthyReply.split('\n').filter((l) => !l.startsWith('b3')).join('\n');
    expect(viewProblem(7001, parseClusterNodes(withoutB3), all)).toBe('node 7001 does not know node 7006');
    const partial = healthyReply.replace('connected 10923-16383', 'connected 10923-16000');
    expect(viewProblem(7001, parseClusterNodes(partial), all)).toBe('node 7001 sees 16001 of 16384 slots served');
  });
});
