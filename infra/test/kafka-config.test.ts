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
