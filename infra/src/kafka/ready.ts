import { Kafka, logLevel } from 'kafkajs';

/**
 * True only when the cluster answers a metadata request: an open port is not
 * enough, a KRaft broker listens before its controller has elected itself.
 */
export async function kafkaAnswersMetadata(brokers: string[], timeoutMs = 3000): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'sessionflow-ready-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
