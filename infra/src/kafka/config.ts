/** The files a KRaft node needs: server.properties and a log4j file. */

export interface BrokerFiles {
  port: number;
  controllerPort: number;
  dataDir: string;
  logDir: string;
  partitions: number;
  /** Absent: a single node (id 1) that is the whole quorum, and replication factor 1 everywhere. */
  cluster?: ClusterMembership;
}

/** This node's place in a cluster of combined broker+controller nodes (cluster.ts). */
export interface ClusterMembership {
  nodeId: number;
  /** Every node of the quorum, this one included: its id and controller port on loopback. */
  voters: readonly { id: number; controllerPort: number }[];
  minInsyncReplicas: number;
}

export function serverProperties(f: BrokerFiles): string {
  const nodeId = f.cluster?.nodeId ?? 1;
  const voters = f.cluster?.voters ?? [{ id: nodeId, controllerPort: f.controllerPort }];
  // Every internal topic on every node, so one node down loses nothing; one node: one replica.
  const replicas = voters.length;
  const minIsr = f.cluster?.minInsyncReplicas ?? 1;
  return [
    '# Written by infra/src/kafka/config.ts: each process is broker and controller (KRaft, no ZooKeeper).',
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${voters.map((v) => `${v.id}@127.0.0.1:${v.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${f.port},CONTROLLER://127.0.0.1:${f.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${f.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${f.dataDir}`,
    `num.partitions=${f.partitions}`,
    `default.replication.factor=${replicas}`,
    `offsets.topic.replication.factor=${replicas}`,
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `min.insync.replicas=${minIsr}`,
    'group.initial.rebalance.delay.ms=0',
    ...(f.cluster ? failureDetection : []),
    // Topics are created on purpose by the collector, with the partitions it is configured for.
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/**
 * A killed node is noticed sooner than with Kafka's defaults (a 9 s session,
 * 30 s of lag), so tests that kill one wait seconds, not half a minute, before
 * the controller fences it and shrinks the in-sync replica sets to the nodes left.
 */
const failureDetection = [
  'broker.heartbeat.interval.ms=1000',
  'broker.session.timeout.ms=6000',
  'replica.lag.time.max.ms=10000',
];

export function log4jProperties(logDir: string): string {
  const file = `${logDir}/server.log`;
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${file}`,
    'log4j.appender.file.MaxFileSize=20MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.org.apache.kafka.controller=INFO',
    'log4j.logger.state.change.logger=WARN',
    '',
  ].join('\n');
}
