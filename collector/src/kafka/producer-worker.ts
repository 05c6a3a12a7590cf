/**
 * Entry of the producer thread: owns the kafkajs producer, so encoding records
 * into produce requests (the largest cost per event) runs beside the HTTP work
 * of the main thread instead of taking turns with it.
 */
// First, before kafkajs loads: its per-record encoding is replaced with faster equivalents.
import { installedFastPaths } from './install-fast-paths.js';
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log.js';
import { createKafka } from './client.js';
import { createProducer, sendBatchAcknowledged } from './producer.js';
import type { FromProducerThread, ProducerThreadOptions, ToProducerThread } from './thread-protocol.js';
import { decodeWireBatch } from './wire-batch.js';

const port = parentPort;
if (!port) throw new Error('producer-worker.js runs as a worker thread of the collector');

const options = workerData as ProducerThreadOptions;
const logger = createLogger(options.logLevel);
const producer = createProducer(createKafka(options, logger));
const post = (message: FromProducerThread) => port.postMessage(message);
logger.debug('kafkajs fast paths', installedFastPaths);

port.on('message', (message: ToProducerThread) => {
  if (message.type === 'send') {
    const onUnacknowledged = (partitions: string[]) => logger.warn('Kafka acknowledged a send without some of its partitions; sending their records again', { partitions });
    sendBatchAcknowledged(producer, decodeWireBatch(message.batch), onUnacknowledged).then(
      () => post({ type: 'sent', id: message.id }),
      (error: unknown) =>
        post({
          type: 'send-failed',
          id: message.id,
          name: error instanceof Error ? error.name : 'Error',
          message: error instanceof Error ? error.message : String(error),
        }),
    );
  } else {
    producer
      .disconnect()
      .catch((error: unknown) => logger.warn('producer disconnect failed', { error }))
      .finally(() => {
        post({ type: 'disconnected' });
        port.close();
      });
  }
});

producer.connect().then(
  () => post({ type: 'ready' }),
  (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
