/**
 * A local Redis Cluster's shards as a failover test needs them: which master
 * serves a slot, which replica follows a master, what a replica holds itself,
 * and a replica cut off from its master's writes, each by a command to one
 * node on a connection of its own.
 */
import type { RedisCluster, RedisNode } from '@sessionflow/infra';
import calculateSlot from 'cluster-key-slot';
import { createClient } from 'redis';

/** Commands to one node on one connection of their own, closed after; the last one's reply. */
export async function onNode<T>(node: RedisNode, ...commands: string[][]): Promise<T> {
  const client = createClient({ url: node.url, socket: { reconnectStrategy: false, connectTimeout: 5_000 } });
  client.on('error', () => {
    // Reported by the command that fails.
  });
  try {
    await client.connect();
    let reply: unknown;
    for (const command of commands) reply = await client.sendCommand(command);
    return reply as T;
  } finally {
    client.destroy();
  }
}

/** The running masters and the slot ranges each serves, as each says of itself (`CLUSTER NODES`, its `myself` line). */
async function masterSlots(cluster: RedisCluster): Promise<{ node: RedisNode; ranges: [number, number][] }[]> {
  const running = cluster.nodes.filter((n) => n.running());
  const roles = await Promise.all(running.map((n) => n.role()));
  const masters = running.filter((_, i) => roles[i] === 'master');
  return Promise.all(
    masters.map(async (node) => {
      const self = (await onNode<string>(node, ['CLUSTER', 'NODES'])).split('\n').find((line) => line.split(' ')[2]?.split(',').includes('myself')) ?? '';
      // Fields 9 and on: "0-5460", "5461", or "[slot->-node]" while a slot migrates (not served here yet).
      const ranges = self
        .trim()
        .split(' ')
        .slice(8)
        .filter((f) => !f.startsWith('['))
        .map((f): [number, number] => {
          const [from, to = from] = f.split('-').map(Number);
          return [from!, to!];
        });
      return { node, ranges };
    }),
  );
}

/** The running master that serves each hash tag's slot. */
export async function mastersOfTags(cluster: RedisCluster, tags: readonly string[]): Promise<Map<string, RedisNode>> {
  const masters = await masterSlots(cluster);
  const owners = new Map<string, RedisNode>();
  for (const tag of tags) {
    const slot = calculateSlot(tag);
    const master = masters.find((m) => m.ranges.some(([from, to]) => slot >= from && slot <= to));
    if (master === undefined) throw new Error(`no running master serves slot ${slot} (hash tag ${tag})`);
    owners.set(tag, master.node);
  }
  return owners;
}

/** The running replica of `master` (`ROLE` names its master's port); undefined when it has none. */
export async function replicaOf(cluster: RedisCluster, master: RedisNode): Promise<RedisNode | undefined> {
  for (const node of cluster.nodes.filter((n) => n.running() && n !== master)) {
    const role = await onNode<unknown[]>(node, ['ROLE']);
    if (role[0] === 'slave' && Number(role[2]) === master.port) return node;
  }
  return undefined;
}

/** The values of `keys` as `node` holds them itself, a replica too (READONLY: no redirection to its master). */
export async function valuesOn(node: RedisNode, keys: readonly string[]): Promise<(string | null)[]> {
  const client = createClient({ url: node.url, socket: { reconnectStrategy: false, connectTimeout: 5_000 } });
  client.on('error', () => {
    // Reported by the command that fails.
  });
  try {
    await client.connect();
    await client.sendCommand(['READONLY']);
    // One GET per key: they may be of several slots, which a multi-key command refuses (CROSSSLOT).
    return await Promise.all(keys.map(async (key) => (await client.sendCommand(['GET', key])) as string | null));
  } finally {
    client.destroy();
  }
}

/**
 * Cuts `master`'s replica off its writes while it stays a replica: the
 * master's default user may no longer PSYNC or SYNC (the pipeline never
 * sends either), then the replica's link is killed. The replica reconnects,
 * is refused the resynchronisation, and keeps the data it had, so what the
 * master takes from now on exists on the master alone. Lasts while the master
 * lives (the ACL change is not saved).
 */
export async function cutReplication(master: RedisNode): Promise<void> {
  await onNode(master, ['ACL', 'SETUSER', 'default', '-psync', '-sync'], ['CLIENT', 'KILL', 'TYPE', 'replica']);
}

/** `INFO replication`'s `master_link_status` on a replica: `up` or `down`. */
export async function masterLink(replica: RedisNode): Promise<string | undefined> {
  return /^master_link_status:(\w+)/m.exec(await onNode<string>(replica, ['INFO', 'replication']))?.[1];
}
