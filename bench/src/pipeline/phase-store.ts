/**
 * How a phase reads the store it measures: the pipeline's progress and the
 * probes through the collector's own store client (on a cluster, keys of many
 * slots grouped by slot, as the pipeline reads them), and INFO cpu from every
 * redis-server, masters and replicas, each on a connection of its own.
 */
import { createLogger, createStoreClient, type StoreClient } from '@sessionflow/collector';
import type { Stack } from '@sessionflow/infra';
import { createClient } from 'redis';
import { redisRole, type RedisNodeCpu } from './cpu.js';

export interface PhaseStore {
  client: StoreClient;
  nodes: RedisNodeCpu[];
  close(): Promise<void>;
}

export async function openPhaseStore(stack: Stack): Promise<PhaseStore> {
  if (!stack.redisUrl) throw new Error('the stack runs no Redis (redisUrl is missing)');
  const logger = createLogger('warn', (line) => process.stderr.write(`  bench store: ${line}`));
  const client = createStoreClient(stack.redisUrl, logger, { commandTimeoutMs: 10_000 });
  const nodes: RedisNodeCpu[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.client.quit().catch(() => undefined)));
    await client.close().catch(() => undefined);
  };
  try {
    await client.connect();
    const urls = stack.redisCluster?.nodes.map((n) => n.url) ?? stack.redisUrl.split(',').map((u) => u.trim());
    for (const url of urls) {
      const node = createClient({ url });
      try {
        await node.connect();
        nodes.push({ url, role: await redisRole(node), client: node });
      } catch (error) {
        node.destroy();
        throw error;
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { client, nodes, close };
}
