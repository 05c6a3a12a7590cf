import { expect, test } from 'vitest';
import { formatArgs } from '../src/kafka/broker.js';
import { serverProperties } from '../src/kafka/config.js';

const parse = (text: string): Map<string, string> =>
  new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );

test('one process is broker and controller on loopback, with no ZooKeeper', () => {
  const props = parse(serverProperties({ port: 40001, controllerPort: 40002, dataDir: '/tmp/d', logDir: '/tmp/l', partitions: 5 }));
  expect(props.get('process.roles')).toBe('broker,controller');
  expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002');
  expect(props.get('controller.quorum.voters')).toBe(`${props.get('node.id')}@127.0.0.1:40002`);
  expect(props.get('log.dirs')).toBe('/tmp/d');
  expect(props.get('num.partitions')).toBe('5');
  expect([...props.keys()].some((k) => k.startsWith('zookeeper'))).toBe(false);
});

test('the storage format keeps a cluster id that starts with "-" attached to its option', () => {
  const args = formatArgs('-Spr-8mz2eoVw0lgtkaOog', '/tmp/server.properties');
  // As one argument, the tool's parser cannot read the id as an option of its own.
  expect(args).toContain('--cluster-id=-Spr-8mz2eoVw0lgtkaOog');
  expect(args).not.toContain('-Spr-8mz2eoVw0lgtkaOog');
});

test('a node of a cluster names every voter, and replicates every topic on all nodes with the min ISR asked', () => {
  const voters = [
    { id: 1, controllerPort: 41001 },
    { id: 2, controllerPort: 41002 },
    { id: 3, controllerPort: 41003 },
  ];
  const props = parse(
    serverProperties({ port: 40002, controllerPort: 41002, dataDir: '/tmp/d2', logDir: '/tmp/l2', partitions: 3, cluster: { nodeId: 2, voters, minInsyncReplicas: 2 } }),
  );
  expect(props.get('node.id')).toBe('2');
  expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:41001,2@127.0.0.1:41002,3@127.0.0.1:41003');
  expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:40002,CONTROLLER://127.0.0.1:41002');
  for (const key of ['default.replication.factor', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor']) expect(props.get(key)).toBe('3');
  expect(props.get('min.insync.replicas')).toBe('2');
  expect(props.get('transaction.state.log.min.isr')).toBe('2');
});

test('a single node keeps one replica of everything', () => {
  const props = parse(serverProperties({ port: 40001, controllerPort: 40002, dataDir: '/tmp/d', logDir: '/tmp/l', partitions: 3 }));
  expect(props.get('offsets.topic.replication.factor')).toBe('1');
  expect(props.get('min.insync.replicas')).toBe('1');
  expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:40002');
});
