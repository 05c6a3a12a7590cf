/** Messages between the collector's main thread and its producer thread. */
import type { LogLevel } from '../log.js';

export interface ProducerThreadOptions {
  kafkaBrokers: string[];
  kafkaClientId: string;
  logLevel: LogLevel;
}

/** A batch in columns: cheaper to copy between threads than one object per record. */
export interface CompactTopicMessages {
  topic: string;
  keys: string[];
  values: string[];
}

export type ToProducerThread = { type: 'send'; id: number; batch: CompactTopicMessages[] } | { type: 'disconnect' };

export type FromProducerThread =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'sent'; id: number }
  | { type: 'send-failed'; id: number; name: string; message: string }
  | { type: 'disconnected' };
