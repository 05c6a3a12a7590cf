/**
 * The kafkajs client, its logs routed into ours: WARN and ERROR only unless
 * LOG_LEVEL=debug, and a message repeated while a broker is down (every retry,
 * every readiness probe) is written once per `REPEAT_WINDOW_MS`.
 */
import { Kafka, logLevel as KafkaLogLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { CollectorConfig } from '../config.js';
import type { Logger } from '../log.js';

const REPEAT_WINDOW_MS = 10_000;

export function createKafka(config: Pick<CollectorConfig, 'kafkaBrokers' | 'kafkaClientId'>, logger: Logger): Kafka {
  return new Kafka({
    clientId: config.kafkaClientId,
    brokers: config.kafkaBrokers,
    connectionTimeout: 1_000,
    logLevel: logger.level === 'debug' ? KafkaLogLevel.INFO : KafkaLogLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
}

export function kafkaLogCreator(logger: Logger, now: () => number = Date.now): logCreator {
  const lastWritten = new Map<string, number>();
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, stack, ...fields } = log;
      // Stacks of connection errors say nothing new at WARN/ERROR; keep them for debugging.
      if (logger.level === 'debug' && stack !== undefined) fields['stack'] = stack;
      const key = `${level}:${namespace}:${message}`;
      const at = now();
      const previous = lastWritten.get(key);
      if (previous !== undefined && at - previous < REPEAT_WINDOW_MS) return;
      if (lastWritten.size > 1_000) lastWritten.clear();
      lastWritten.set(key, at);
      const text = `kafkajs ${namespace}: ${message}`;
      if (level <= KafkaLogLevel.ERROR) logger.error(text, fields);
      else if (level === KafkaLogLevel.WARN) logger.warn(text, fields);
      else if (level === KafkaLogLevel.INFO) logger.info(text, fields);
      else logger.debug(text, fields);
    };
}
