/** Messages between the collector's main thread and its producer thread. */
import type { LogLevel } from '../log.js';
import type { WireBatch } from './wire-batch.js';

export interface ProducerThreadOptions {
  kafkaBrokers: string[];
  kafkaClientId: string;
  logLevel: LogLevel;
}

export type ToProducerThread = { type: 'send'; id: number; batch: WireBatch } | { type: 'disconnect' };

export type FromProducerThread =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'sent'; id: number }
  | { type: 'send-failed'; id: number; name: string; message: string }
  | { type: 'disconnected' };
