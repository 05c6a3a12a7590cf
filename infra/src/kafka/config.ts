/** The files a single-node KRaft broker needs: server.properties and a log4j file. */

export interface BrokerFiles {
  port: number;
  controllerPort: number;
  dataDir: string;
  logDir: string;
  partitions: number;
}

export function serverProperties(f: BrokerFiles): string {
  return [
    '# Written by infra/src/kafka/config.ts: one process is broker and controller (KRaft, no ZooKeeper).',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${f.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${f.port},CONTROLLER://127.0.0.1:${f.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${f.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${f.dataDir}`,
    `num.partitions=${f.partitions}`,
    // One broker: internal topics cannot have more replicas than that.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    // Topics are created on purpose by the collector, with the partitions it is configured for.
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

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
