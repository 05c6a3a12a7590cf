import { expect, test } from 'vitest';
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
