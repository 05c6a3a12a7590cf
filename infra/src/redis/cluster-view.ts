/**
 * One node's view of a Redis Cluster (its `CLUSTER NODES` reply), and what
 * keeps that view from being healthy: pure, so the rules are tested without a
 * cluster (`cluster.ts` asks every node and applies them).
 */

export const SLOT_COUNT = 16_384;

export interface ClusterNodeLine {
  id: string;
  port: number;
  flags: string[];
  /** The master's id for a replica, undefined for a master. */
  masterId: string | undefined;
  /** Inclusive ranges of the slots it serves (a master); migrating/importing entries left out. */
  slots: [number, number][];
}

/**
 * Parses `CLUSTER NODES`: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>…`
 * (https://redis.io/commands/cluster-nodes).
 */
export function parseClusterNodes(reply: string): ClusterNodeLine[] {
  return reply
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , , ...slots] = line.split(' ');
      const hostPort = address.split('@')[0] ?? '';
      const port = hostPort.includes(':') ? Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)) : NaN;
      if (!id || !Number.isInteger(port) || port <= 0) throw new Error(`CLUSTER NODES: cannot read the line "${line}"`);
      return {
        id,
        port,
        flags: flags.split(','),
        masterId: master === '-' ? undefined : master,
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s): [number, number] => {
            const [from, to = from] = s.split('-');
            return [Number(from), Number(to)];
          }),
      };
    });
}

const unhealthyFlags = ['fail', 'fail?', 'handshake', 'noaddr'];

/**
 * Why `view` (seen from the node on `viewerPort`) is not healthy, or undefined:
 * every slot served by a master not marked failing that is one of `running`,
 * and no running node marked failing or unknown (a restarted node counts once
 * the others took it back).
 */
export function viewProblem(viewerPort: number, view: ClusterNodeLine[], running: ReadonlySet<number>): string | undefined {
  let served = 0;
  for (const node of view) {
    const bad = node.flags.find((f) => unhealthyFlags.includes(f));
    if (bad && running.has(node.port)) return `node ${viewerPort} sees node ${node.port} as ${bad}`;
    if (node.slots.length === 0) continue;
    const count = node.slots.reduce((n, [from, to]) => n + to - from + 1, 0);
    if (bad) return `node ${viewerPort} sees ${count} slots on node ${node.port}, which is ${bad}`;
    if (!running.has(node.port)) return `node ${viewerPort} sees ${count} slots on node ${node.port}, which is not running`;
    if (!node.flags.includes('master')) return `node ${viewerPort} sees slots on node ${node.port}, which is not a master`;
    served += count;
  }
  for (const port of running) {
    if (!view.some((n) => n.port === port)) return `node ${viewerPort} does not know node ${port}`;
  }
  if (served !== SLOT_COUNT) return `node ${viewerPort} sees ${served} of ${SLOT_COUNT} slots served`;
  return undefined;
}
