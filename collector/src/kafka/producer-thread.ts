/**
 * The main thread's side of the producer thread: a `send` for the batcher, and
 * start/stop. If the thread dies, pending and later sends fail (503s) and
 * `alive` turns false, which readiness reports.
 */
import { Worker } from 'node:worker_threads';
import type { SendBatch } from '../ingest/batcher.js';
import type { Logger } from '../log.js';
import type { ProducerHandle } from './producer.js';
import type { FromProducerThread, ProducerThreadOptions, ToProducerThread } from './thread-protocol.js';
import { encodeWireBatch, wireTransferList } from './wire-batch.js';

export class ProducerThreadError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** `alive()` turns false once the thread exited; `close()` disconnects the producer and ends the thread. */
export async function startProducerThread(options: ProducerThreadOptions, logger: Logger): Promise<ProducerHandle> {
  const worker = new Worker(new URL('./producer-worker.js', import.meta.url), { workerData: options });
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let alive = true;
  let closing = false;
  let onDisconnected: (() => void) | undefined;

  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    const onStartMessage = (message: FromProducerThread) => {
      if (message.type === 'ready') {
        worker.off('message', onStartMessage);
        resolve();
      } else if (message.type === 'failed') {
        void worker.terminate();
        reject(new Error(message.message));
      }
    };
    worker.on('message', onStartMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the producer thread exited with code ${code} while starting`)));
  });

  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  worker.on('message', (message: FromProducerThread) => {
    if (message.type === 'sent' || message.type === 'send-failed') {
      const entry = pending.get(message.id);
      pending.delete(message.id);
      if (message.type === 'sent') entry?.resolve();
      else entry?.reject(new ProducerThreadError(message.name, message.message));
    } else if (message.type === 'disconnected') {
      onDisconnected?.();
    }
  });
  worker.on('error', (error) => {
    logger.error('the producer thread failed', { error });
  });
  worker.on('exit', (code) => {
    alive = false;
    if (!closing) logger.error('the producer thread exited', { code });
    failAll(new Error(`the producer thread exited (code ${code})`));
    onDisconnected?.();
  });

  const send: SendBatch = (topicMessages) => {
    if (!alive || closing) return Promise.reject(new Error('the producer thread is not running'));
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const batch = encodeWireBatch(topicMessages);
      const message: ToProducerThread = { type: 'send', id, batch };
      worker.postMessage(message, wireTransferList(batch));
    });
  };

  const close = async () => {
    if (!alive || closing) return;
    closing = true;
    await new Promise<void>((resolve) => {
      onDisconnected = resolve;
      const message: ToProducerThread = { type: 'disconnect' };
      worker.postMessage(message);
    });
    await worker.terminate();
  };

  return { send, alive: () => alive, close };
}
