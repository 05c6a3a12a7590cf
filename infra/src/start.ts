/**
 * `npm start`: the whole loop on this machine, on fixed loopback ports, until
 * Ctrl-C. State and logs live in .run/ (git ignores it); Kafka's storage is
 * kept there between runs and formatted only the first time, and so are the
 * secrets of every scope (.run/secrets.json), made on the first start.
 *
 * `npm start -- --cluster`: the same loop on a 3-node KRaft Kafka (replication
 * factor 3, min.insync.replicas 2) and a Redis Cluster (3 masters, a replica
 * each), on free loopback ports, new at each start (.run/kafka-cluster,
 * .run/redis-cluster).
 */
import path from 'node:path';
import { runDir } from './paths.js';
import { isListening } from './process/ports.js';
import { loadOrCreateSecrets } from './secrets/secrets-file.js';
import { existingServersFromEnv, startStack, type Stack } from './stack.js';

const SITE_KEY = 'demo-site-key';
const secretsFile = path.join(runDir, 'secrets.json');

const ports = {
  kafka: Number(process.env.KAFKA_PORT ?? 29092),
  kafkaController: Number(process.env.KAFKA_CONTROLLER_PORT ?? 29093),
  redis: Number(process.env.REDIS_PORT ?? 26379),
  collector: Number(process.env.COLLECTOR_PORT ?? 8788),
  pipeline: Number(process.env.PIPELINE_PORT ?? 8790),
  edge: Number(process.env.EDGE_PORT ?? 8787),
  'demo-site': Number(process.env.DEMO_PORT ?? 8080),
  console: Number(process.env.CONSOLE_PORT ?? 8791),
};

const log = (line: string): void => console.log(`[sessionflow] ${line}`);

async function main(): Promise<void> {
  const known = new Set(['--cluster']);
  const unknown = process.argv.slice(2).filter((arg) => !known.has(arg));
  if (unknown.length > 0) {
    console.error(`[sessionflow] unknown option ${unknown.join(' ')}; the one option is --cluster (npm start -- --cluster)`);
    process.exit(1);
  }
  const cluster = process.argv.includes('--cluster');
  const existing = existingServersFromEnv();
  const wanted = Object.entries(ports).filter(([name]) => {
    // A cluster's nodes take free ports: KAFKA_PORT and REDIS_PORT are for the single nodes.
    if (name.startsWith('kafka')) return !existing.kafkaBrokers && !cluster;
    if (name === 'redis') return !existing.redisUrl && !cluster;
    return true;
  });
  const busy: string[] = [];
  for (const [name, port] of wanted) if (await isListening(port)) busy.push(`${name} (${port})`);
  if (busy.length > 0) {
    console.error(`[sessionflow] ports already in use: ${busy.join(', ')}. Is another \`npm start\` running? Set *_PORT variables to move them.`);
    process.exit(1);
  }

  let stack: Stack | undefined;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping everything…`);
    await stack?.stop();
    log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const { secrets, created, added } = loadOrCreateSecrets(secretsFile, [SITE_KEY]);
  const rel = (file?: string): string => (file ? path.relative(process.cwd(), file) : '(not started here)');
  if (created) log(`secrets: made a random one for every scope in ${rel(secretsFile)} (kept for the next start)`);
  else log(`secrets: from ${rel(secretsFile)}${added.length > 0 ? ` (new now: ${added.join(', ')})` : ''}`);
  stack = await startStack({ dir: runDir, ports, ...existing, cluster, siteKey: SITE_KEY, secrets, log });
  if (stopping) return;
  const kafkaWhat = stack.kafkaCluster
    ? `a ${stack.kafkaCluster.nodes.length}-node KRaft cluster, topics replicated 3 times, min.insync.replicas 2`
    : existing.kafkaBrokers ? 'KAFKA_BROKERS' : 'one KRaft broker';
  const redisWhat = stack.redisCluster
    ? `a Redis Cluster, ${stack.redisCluster.nodes.length} nodes (3 masters, a replica each); REDIS_URL lists them all`
    : existing.redisUrl ? 'REDIS_URL' : 'one redis-server';
  console.log(`
Sessionflow is running.

  Storefront   ${stack.demoUrl}/          ← open this, click around
               ${stack.demoUrl}/app       (the same shop as a single-page app, the SDK imported from npm)
  Console      ${stack.consoleUrl}/          ← and watch it here (log in with the admin secret below)
  Edge         ${stack.edgeUrl}/v1/collect   (wrangler dev, workerd)
  Collector    ${stack.collectorUrl}/metrics   /readyz  /healthz   read API /v1/recs, /v1/profile/user/:id, /v1/profile/device/:id
  Pipeline     ${stack.pipelineUrl}/metrics   /readyz   (identity, sessions and aggregates stages → Redis; lag per partition in /metrics)
  Kafka        ${stack.kafkaBrokers.join(',')}   (${kafkaWhat})
               topics ${stack.topicPrefix}.events, ${stack.topicPrefix}.products, ${stack.topicPrefix}.inventory, …
  Redis        ${stack.redisUrl}   (${redisWhat})

Logs:
  kafka      ${rel(stack.logs.kafka)}
  redis      ${rel(stack.logs.redis)}
  collector  ${rel(stack.logs.collector)}
  pipeline   ${rel(stack.logs.pipeline)}
  edge       ${rel(stack.logs.edge)}
  demo-site  ${rel(stack.logs['demo-site'])}
  console    ${rel(stack.logs.console)}

Secrets (every scope has its own; all of them, the edge's and the site's included, in ${rel(secretsFile)}):
  read API   Authorization: Bearer ${stack.secrets.read}
             curl -H 'Authorization: Bearer ${stack.secrets.read}' ${stack.collectorUrl}/v1/profile/user/demo-user-1
  admin      Authorization: Bearer ${stack.secrets.admin}   (also the console's login)
             curl -X DELETE -H 'Authorization: Bearer ${stack.secrets.admin}' ${stack.collectorUrl}/v1/users/demo-user-1

Watch events arrive:  npm run tail:events
Ctrl-C stops everything.
`);
}

main().catch((err: unknown) => {
  console.error(`[sessionflow] could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
