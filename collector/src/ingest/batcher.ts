/**
 * Coalesces the records of concurrent requests into few, large produce
 * requests. While one send is in flight, new records wait; when it completes,
 * everything waiting goes out together (bounded by records and bytes; a
 * request larger than a send is split over consecutive sends, in order). Each
 * caller's promise settles once all of its records are acknowledged, or with
 * the first send carrying them that failed.
 *
 * Exactly one send is in flight at a time, on purpose: kafkajs 2.2.4's
 * idempotent producer needs `maxInFlightRequests: 1` and serialises produce
 * requests per broker anyway; a second send queued behind a failing first one
 * would take over its sequence numbers and could land before the first one's
 * retry, breaking per-key order. One send in flight keeps order, and big
 * batches keep throughput.
 */
import type { OutboundRecord, RecordSink } from './sink.js';

export interface TopicMessages {
  topic: string;
  messages: { key: string; value: string }[];
}

/** The one thing the batcher needs from Kafka: send these, resolve once acknowledged. */
export type SendBatch = (topicMessages: TopicMessages[]) => Promise<unknown>;

export interface BatcherOptions {
  /** Upper bound of records per send. */
  maxBatchRecords: number;
  /** Upper bound of key+value bytes per send (a single record over it still goes, alone). */
  maxBatchBytes: number;
  /** How long an idle batcher waits for more records before sending; 0 = the next turn of the event loop. */
  lingerMs: number;
  /**
   * Bytes handed over and not yet acknowledged (waiting and in flight) beyond which `enqueue` refuses with
   * `QueueFullError`, taking nothing of the request: the caller answers 503 and its sender keeps the records.
   */
  maxPendingBytes: number;
}

export const DEFAULT_BATCHER_OPTIONS: BatcherOptions = {
  maxBatchRecords: 10_000,
  maxBatchBytes: 900_000,
  lingerMs: 0,
  maxPendingBytes: 64 * 1024 * 1024,
};

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

export class BatcherClosedError extends Error {
  override readonly name = 'BatcherClosedError';
}

/** The records of one `enqueue` call. They go out in order, in one send or (when larger than a send) in consecutive ones. */
interface Unit {
  records: readonly OutboundRecord[];
  sizes: number[];
  /** Index of the first record not yet handed to a send. */
  next: number;
  /** Bytes of the records from `next` on. */
  unsentBytes: number;
  /** Records acknowledged by Kafka so far. */
  acked: number;
  settled: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
  detach?: () => void;
}

/** A slice of a unit's records travelling in one send. */
interface Part {
  unit: Unit;
  start: number;
  end: number;
}

export class ProduceBatcher implements RecordSink {
  private readonly options: BatcherOptions;
  private pending: Unit[] = [];
  private queuedRecords = 0;
  private queuedBytes = 0;
  private inFlight: Promise<void> | null = null;
  /** Key+value bytes of the send in flight. */
  private inFlightBytes = 0;
  /** When the send in flight began (by `now`), if one is. */
  private inFlightSince: number | null = null;
  private timer: { cancel: () => void } | null = null;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: SendBatch,
    options: Partial<BatcherOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_BATCHER_OPTIONS, ...options };
  }

  /** Resolves once Kafka acknowledged every one of `records`; rejects if a send carrying them failed or `signal` aborted first. */
  enqueue(records: readonly OutboundRecord[], signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new BatcherClosedError('the collector is shutting down'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (records.length === 0) return Promise.resolve();
    const sizes = new Array<number>(records.length);
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as OutboundRecord;
      const size = Buffer.byteLength(record.key) + Buffer.byteLength(record.value);
      sizes[i] = size;
      bytes += size;
    }
    // A request alone may be larger than the bound (the body limit bounds it): it still goes when nothing else waits.
    if (this.pendingBytes + bytes > this.options.maxPendingBytes && (this.pending.length > 0 || this.inFlight !== null)) {
      return Promise.reject(new QueueFullError(`taking ${bytes} more bytes would put more than ${this.options.maxPendingBytes} bytes (COLLECTOR_MAX_PENDING_BYTES) in wait for Kafka`));
    }
    return new Promise<void>((resolve, reject) => {
      const unit: Unit = { records, sizes, next: 0, unsentBytes: bytes, acked: 0, settled: false, resolve, reject };
      if (signal) this.watch(unit, signal);
      this.pending.push(unit);
      this.queuedRecords += records.length;
      this.queuedBytes += bytes;
      this.schedule();
    });
  }

  /**
   * How long the send in flight has waited for Kafka's acknowledgement (0 when none is in flight).
   * The producer retries a refused write without end, so a send that waits long is Kafka refusing or not answering.
   */
  unacknowledgedForMs(): number {
    return this.inFlightSince === null ? 0 : this.now() - this.inFlightSince;
  }

  /** Records and bytes waiting for a send (not counting the one in flight). */
  get queued(): { records: number; bytes: number } {
    return { records: this.queuedRecords, bytes: this.queuedBytes };
  }

  /** Key+value bytes handed over and not yet acknowledged: those waiting and those of the send in flight. */
  get pendingBytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }

  /** Refuses new records, sends everything waiting at once, and resolves when all sends have settled. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer();
    if (!this.inFlight && this.pending.length > 0) this.flush();
    if (!this.inFlight && this.pending.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private watch(unit: Unit, signal: AbortSignal): void {
    const onAbort = () => {
      // Withdraw what was not sent yet, so records of an answered request are not sent behind its back.
      this.withdraw(unit);
      settle(unit, false, signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    unit.detach = () => signal.removeEventListener('abort', onAbort);
  }

  private withdraw(unit: Unit): void {
    const index = this.pending.indexOf(unit);
    if (index < 0) return;
    this.pending.splice(index, 1);
    this.queuedRecords -= unit.records.length - unit.next;
    this.queuedBytes -= unit.unsentBytes;
    unit.next = unit.records.length;
    unit.unsentBytes = 0;
  }

  private schedule(): void {
    if (this.inFlight) return; // the in-flight send's completion picks the new records up
    if (this.batchIsFull()) {
      this.cancelTimer();
      this.flush();
      return;
    }
    if (this.timer) return;
    const lingerMs = this.options.lingerMs;
    const fire = () => {
      this.timer = null;
      if (!this.inFlight) this.flush();
    };
    if (lingerMs > 0) {
      const handle = setTimeout(fire, lingerMs);
      this.timer = { cancel: () => clearTimeout(handle) };
    } else {
      // Requests whose bodies arrived in the same I/O turn share the first send.
      const handle = setImmediate(fire);
      this.timer = { cancel: () => clearImmediate(handle) };
    }
  }

  private batchIsFull(): boolean {
    return this.queuedRecords >= this.options.maxBatchRecords || this.queuedBytes >= this.options.maxBatchBytes;
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Takes records from the head of the queue, up to the limits, and sends them as one batch. */
  private flush(): void {
    const waitingBefore = this.queuedBytes;
    const parts = this.takeBatch();
    if (parts.length === 0) {
      this.notifyIdle();
      return;
    }
    this.inFlightSince = this.now();
    this.inFlightBytes = waitingBefore - this.queuedBytes;
    this.inFlight = this.sendParts(parts).finally(() => {
      this.inFlight = null;
      this.inFlightSince = null;
      this.inFlightBytes = 0;
      if (this.pending.length > 0) this.flush(); // these already waited a whole send: no linger
      else this.notifyIdle();
    });
  }

  private takeBatch(): Part[] {
    const { maxBatchRecords, maxBatchBytes } = this.options;
    const parts: Part[] = [];
    let records = 0;
    let bytes = 0;
    let whole = 0;
    for (const unit of this.pending) {
      const remaining = unit.records.length - unit.next;
      if (records + remaining <= maxBatchRecords && bytes + unit.unsentBytes <= maxBatchBytes) {
        parts.push({ unit, start: unit.next, end: unit.records.length });
        records += remaining;
        bytes += unit.unsentBytes;
        unit.next = unit.records.length;
        unit.unsentBytes = 0;
        whole++;
        continue;
      }
      // Fill the send with the head of this unit; its rest goes first in the next send, so order holds.
      let end = unit.next;
      let partBytes = 0;
      while (end < unit.records.length && records + 1 <= maxBatchRecords && bytes + partBytes + (unit.sizes[end] as number) <= maxBatchBytes) {
        partBytes += unit.sizes[end] as number;
        records++;
        end++;
      }
      if (end === unit.next && parts.length === 0) {
        // A single record over the limit still has to go: alone.
        partBytes = unit.sizes[end] as number;
        records++;
        end++;
      }
      if (end > unit.next) {
        parts.push({ unit, start: unit.next, end });
        bytes += partBytes;
        unit.next = end;
        unit.unsentBytes -= partBytes;
        if (unit.next === unit.records.length) whole++;
      }
      break;
    }
    this.pending.splice(0, whole);
    this.queuedRecords -= records;
    this.queuedBytes -= bytes;
    return parts;
  }

  private async sendParts(parts: Part[]): Promise<void> {
    try {
      await this.send(groupByTopic(parts));
      for (const { unit, start, end } of parts) {
        unit.acked += end - start;
        if (unit.acked === unit.records.length) settle(unit, true);
      }
    } catch (error) {
      for (const { unit } of parts) {
        this.withdraw(unit); // the caller hears of the failure: the rest of its records need not go
        settle(unit, false, error);
      }
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function settle(unit: Unit, ok: boolean, error?: unknown): void {
  if (unit.settled) return;
  unit.settled = true;
  unit.detach?.();
  if (ok) unit.resolve();
  else unit.reject(error);
}

/** One entry per topic, records in the order they were enqueued (which keeps per-key order). */
export function groupByTopic(parts: readonly { unit: { records: readonly OutboundRecord[] }; start: number; end: number }[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages['messages']>();
  for (const { unit, start, end } of parts) {
    for (let i = start; i < end; i++) {
      const record = unit.records[i] as OutboundRecord;
      let messages = byTopic.get(record.topic);
      if (!messages) {
        messages = [];
        byTopic.set(record.topic, messages);
      }
      // The record itself is the message: no copy per record on the hot path.
      messages.push(record);
    }
  }
  return Array.from(byTopic, ([topic, messages]) => ({ topic, messages }));
}
