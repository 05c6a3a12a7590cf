/**
 * Delivery: events wait in the queue and leave in batches when `maxBatch` are
 * waiting, when the oldest has waited `flushIntervalMs`, or when the page is
 * going away. An event leaves the queue only once the edge answered for it, so
 * a failed send is retried at the next flush (with a growing pause between tries).
 */
import type { Logger } from '../debug/logger.js';
import type { EventQueue, QueuedEvent } from '../queue/queue.js';
import type { Transport } from '../transport/transport.js';

export interface BatcherOptions {
  collectUrl: string;
  maxBatch: number;
  flushIntervalMs: number;
  /** Longest pause between retries after repeated failures. */
  maxRetryDelayMs?: number;
  now: () => number;
  log: Logger;
}

type Outcome = 'delivered' | 'refused' | 'retry';

/** Answers that say the batch itself is bad: sending it again can never succeed. */
const REFUSED_FOR_GOOD = new Set([400, 413, 415]);

export class Batcher<E extends QueuedEvent> {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly queue: EventQueue<E>,
    private readonly transport: Transport,
    private readonly options: BatcherOptions,
  ) {}

  async add(event: E): Promise<void> {
    await this.queue.enqueue(event);
    // While the edge is failing, the retry timer alone decides when to try again.
    if (this.failures === 0 && (await this.queue.size()) >= this.options.maxBatch) void this.flush();
    else this.schedule(this.options.flushIntervalMs);
  }

  /** Sends everything queued; resolves when done or when a send failed (the events stay queued). */
  flush(): Promise<void> {
    // One drain at a time; calls made while one runs share the single drain queued after it.
    if (this.waiting !== undefined) return this.waiting;
    const next = this.running
      .then(() => {
        this.waiting = undefined;
        return this.drain();
      })
      .catch((error: unknown) => this.options.log.debug('flush failed', error));
    this.waiting = next;
    this.running = next;
    return next;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async drain(): Promise<void> {
    this.stop();
    for (;;) {
      const batch = await this.queue.peek(this.options.maxBatch);
      if (batch.length === 0) return;
      const outcome = await this.send(batch);
      if (outcome === 'retry') {
        this.failures += 1;
        this.schedule(this.retryDelay(), true);
        return;
      }
      this.failures = 0;
      await this.queue.remove(batch.map((event) => event.eventId));
    }
  }

  private async send(batch: E[]): Promise<Outcome> {
    const { log } = this.options;
    let status: number;
    let body: unknown;
    try {
      ({ status, body } = await this.transport.send(this.options.collectUrl, JSON.stringify({ events: batch, sentAt: this.options.now() })));
    } catch (error) {
      log.debug(`send of ${batch.length} events failed; kept for retry`, error);
      return 'retry';
    }
    if (status >= 200 && status < 300) {
      for (const { index, errors } of rejectedOf(body)) {
        log.debug(`event ${index} of the batch was rejected and dropped`, batch[index], errors);
      }
      return 'delivered';
    }
    if (REFUSED_FOR_GOOD.has(status)) {
      log.debug(`batch of ${batch.length} events refused with ${status}; dropped`, body);
      return 'refused';
    }
    log.debug(`batch of ${batch.length} events answered ${status}; kept for retry`, body);
    return 'retry';
  }

  private schedule(delayMs: number, replace = false): void {
    if (this.timer !== undefined) {
      if (!replace) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  private retryDelay(): number {
    const max = this.options.maxRetryDelayMs ?? 30_000;
    return Math.min(this.options.flushIntervalMs * 2 ** (this.failures - 1), max);
  }
}

function rejectedOf(body: unknown): { index: number; errors: unknown }[] {
  const rejected = (body as { rejected?: unknown } | undefined)?.rejected;
  return Array.isArray(rejected) ? rejected.filter((r): r is { index: number; errors: unknown } => typeof r?.index === 'number') : [];
}
