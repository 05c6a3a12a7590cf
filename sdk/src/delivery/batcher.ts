/**
 * Delivery: each captured event leaves at once, in the next task, straight
 * from memory (at most `MAX_EXPRESS` such sends on their way; beyond, events
 * gather and leave in batches when `maxBatch` are waiting, `flushIntervalMs`
 * later, or when the page is hidden; what the queue holds
 * from earlier pages leaves in batches too). Sending at once is what a real-time
 * loop wants (the edge decides on the click that just happened), and it is what
 * loses nothing when the browser dies a moment after a click: the request is in
 * the network service, a process of its own, while the IndexedDB write still
 * waits on the browser process.
 * An event leaves the queue only once the edge answered 2xx for it (or refused
 * it for good); a failed send is retried after a growing, jittered pause that
 * honours Retry-After. While the browser is offline nothing is tried.
 *
 * Capture must cost the page next to nothing, so `add` only keeps the event in
 * memory (an IndexedDB write in the capture's own task costs several times the
 * whole capture) and the queue is written in the next task: one write at a
 * time, and what is captured while one is under way goes in the one after it,
 * so a burst costs a few transactions, not one per event. Until its write has
 * left the page (milliseconds) the event lives only there and in the request
 * on its way: it goes by beacon if the page is left.
 */
import type { IdentityVerdict } from '@sessionflow/core';
import { debug } from '../debug/logger.js';
import { QUEUE_CAPACITY, type EventQueue, type QueuedEvent } from '../queue/queue.js';
import { fitsKeepalive, type Transport } from '../transport/transport.js';
import { backoffMs, parseRetryAfter } from './backoff.js';
import type { DroppedCount } from './dropped.js';
import type { SenderLock } from './sender-lock.js';

/**
 * Longest backoff between retries after repeated failures, which is also how
 * long delivery may lag behind the edge's recovery after a long outage (with
 * 30 s, up to 12.5 s after a 10 s outage). An edge that wants fewer retries
 * says so with Retry-After, which is honoured however long.
 */
const MAX_RETRY_DELAY_MS = 4000;

/** Sends at once on their way at most (browsers open about six connections to a host). */
const MAX_EXPRESS = 4;

export interface BatcherOptions {
  collectUrl: string;
  maxBatch: number;
  flushIntervalMs: number;
  now: () => number;
  /** False while the browser knows it is offline (default: always online). */
  online?: () => boolean;
  /** One sender across tabs (default: none). */
  lock?: SenderLock;
  /** For the jitter; [0, 1). */
  random?: () => number;
  /** Where the events the queue's bound dropped are counted, and how the count is reported after the next 2xx. */
  dropped?: DroppedCount;
  reportDropped?: (count: number) => void;
  /**
   * The site's other tabs (a BroadcastChannel): each tab tells them the ids it
   * delivered, so a tab that is closed does not beacon events another tab already sent.
   */
  tabs?: Pick<BroadcastChannel, 'postMessage' | 'onmessage'> | undefined;
  /** Whether the queue may be opened at all (consent to analytics; default: yes): the look at it after the start waits for it. */
  allowed?: () => boolean;
  /** The body of each 2xx answer (its `actions` are the edge's decisions). */
  onAnswer?: (answer: unknown) => void;
}

export interface Batcher<E> {
  add(event: E): void;
  /** Writes what is in memory to the queue and sends everything queued; resolves when done, when a send failed (the events stay queued), or when another tab is the sender. */
  flush(): Promise<void>;
  /** The page is going away: hands this page's unconfirmed events to `transport.beacon` (or flushes without one). */
  leave(): void;
  stop(): void;
  /** Forgets every queued event (opt-out). */
  clear(): Promise<void>;
}

/** Answers that say the batch itself is bad: sending it again can never succeed. */
const REFUSED_FOR_GOOD = [400, 413, 415];

/** What the batcher sends: a queued event of one visitor (device). */
export type VisitorEvent = QueuedEvent & { anonymousId: string };

export function createBatcher<E extends VisitorEvent>(queue: EventQueue<E>, transport: Transport, options: BatcherOptions): Batcher<E> {
  const { collectUrl, maxBatch, flushIntervalMs, now, online = () => true, lock = (send) => send().then(() => true), random = Math.random, tabs } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Set while a write of what capture keeps in memory is under way. */
  let writing: unknown;
  let running: Promise<void> = Promise.resolve();
  let waiting: Promise<void> | undefined;
  let saving: Promise<unknown> = Promise.resolve();
  let failures = 0;
  /** Set while the task after capture (the write, the send at once) is due. */
  let due: ReturnType<typeof setTimeout> | undefined;
  /** Shut down: no more sends at once. */
  let stopped = false;
  /** Sends at once now on their way. */
  let expressed = 0;
  /** The ids of every batch on its way: no other send of this page takes them meanwhile. */
  const onTheWire = new Set<string>();
  /** Captured and not written to the queue yet. */
  let unsaved: E[] = [];
  /** This page's events not yet confirmed to it: what a beacon carries, even before IndexedDB has stored them. */
  const held = new Map<string, E>();
  const forget = (ids: string[]) => ids.forEach((id) => held.delete(id));
  if (tabs) tabs.onmessage = (message: MessageEvent<string[]>) => forget(message.data);
  /** `batch` was delivered, or handed to a beacon: this page holds it no more, nor writes it to the queue. Returns its ids. */
  const settle = (batch: E[]) => {
    const ids = batch.map((event) => event.eventId);
    forget(ids);
    unsaved = unsaved.filter((event) => !ids.includes(event.eventId));
    return ids;
  };

  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  const schedule = (delayMs: number, replace?: boolean) => {
    if (timer !== undefined && !replace) return;
    stop();
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, delayMs);
  };

  /** Writes the events kept in memory to the queue, in one go. */
  const save = () => {
    const events = unsaved;
    unsaved = [];
    if (events.length > 0) {
      saving = saving
        .then(() => queue.enqueue(events))
        .then((dropped) => dropped > 0 && options.dropped?.add(dropped))
        .catch((error: unknown) => debug('queue failed', error));
    }
    return saving;
  };
  /** Writes what capture keeps in memory, then (in one go) what it kept meanwhile, until nothing is left. */
  const persist = (): unknown => (writing = unsaved.length > 0 ? save().then(persist) : undefined);

  /**
   * The first event's visitor's events (the edge takes one visitor per request,
   * and after `reset()` the queue holds the old anonymous id's events beside the
   * new one's), as many of them from the start (at least one) as fit a keepalive
   * request, with that body.
   */
  const pack = (events: E[]): [E[], string] => {
    events = events.filter((event) => event.anonymousId === events[0]!.anonymousId);
    for (;;) {
      const body = JSON.stringify({ events, sentAt: now() });
      if (events.length < 2 || fitsKeepalive(body)) return [events, body];
      events = events.slice(0, events.length >> 1);
    }
  };

  /** Undefined when the batch is settled (delivered, or refused for good), else the Retry-After in ms (0 without one). */
  const send = async (body: string): Promise<number | undefined> => {
    try {
      const { status, body: answer, retryAfter } = await transport.send(collectUrl, body);
      if (status < 300 && status > 199) {
        const { rejected, identity } = (answer ?? {}) as { rejected?: unknown[]; identity?: IdentityVerdict };
        if (rejected?.length) debug('rejected', rejected);
        // Why a sign-in did or did not link this device: the edge's verdict on an identify in the batch.
        if (identity) debug(identity.verified ? `identity verified: ${identity.userId}` : `identity not verified: ${identity.reason}`, identity);
        const count = options.dropped?.take();
        if (count) options.reportDropped?.(count);
        options.onAnswer?.(answer);
        return undefined;
      }
      debug(`answer ${status}`, answer);
      if (REFUSED_FOR_GOOD.includes(status)) return undefined;
      return parseRetryAfter(retryAfter, now()) ?? 0;
    } catch (error) {
      debug('send failed', error);
      return 0;
    }
  };

  /** Sends one batch: true once it is settled (delivered, or refused for good); false after a failure, with the retry scheduled. */
  const deliver = async (batch: E[], body: string): Promise<boolean> => {
    const failed = failures;
    batch.forEach((event) => onTheWire.add(event.eventId));
    try {
      const retryAfterMs = await send(body);
      if (retryAfterMs !== undefined) {
        // Sends side by side that fail together are one failure: the backoff grows once.
        if (failures === failed) failures += 1;
        schedule(Math.max(retryAfterMs, backoffMs(failures, flushIntervalMs, MAX_RETRY_DELAY_MS, random)), true);
        return false;
      }
      failures = 0;
      // Settled first: `tabs?.postMessage(settle(batch))` would skip the settling where there is no channel.
      const delivered = settle(batch);
      tabs?.postMessage(delivered);
      // A batch sent from memory may still be on its way into the queue: removed before it lands, it would stay.
      await saving;
      await queue.remove(batch);
      return true;
    } finally {
      batch.forEach((event) => onTheWire.delete(event.eventId));
    }
  };

  /** Up to `max` of `events` that no send of this page has on its way. */
  const notOnTheWire = (events: E[], max: number) => events.filter((event) => !onTheWire.has(event.eventId)).slice(0, max);

  const drain = async () => {
    for (;;) {
      const [batch, body] = pack(notOnTheWire(await queue.peek(maxBatch + onTheWire.size), maxBatch));
      // Not `held.clear()`: an event captured while this drain ran may not be written yet, and the
      // page's beacon must still carry it (forgetting such events lost some tracked about a second
      // before the tab closed). What another tab delivered, it announces (`tabs`).
      if (batch.length === 0 || !(await deliver(batch, body))) return;
    }
  };

  /**
   * Sends this page's new events at once, straight from memory, even while
   * earlier ones are on their way: waiting for those (and for the write, the
   * sender lock and a look at the queue after them) kept the last click of a
   * burst in the page for longer than a browser killed right after it lived.
   * Without the sender lock, as a beacon: the lock keeps two tabs from sending
   * the same queued event, and these are this page's own (should another tab's
   * drain find them written meanwhile, an event travels twice and counts once
   * downstream). Beyond `MAX_EXPRESS` sends on their way, events gather for the
   * next flush.
   */
  const express = async () => {
    // Failing: the retry timer decides. Offline: the `online` event flushes.
    if (failures > 0 || !online()) return;
    if (expressed >= MAX_EXPRESS) return schedule(flushIntervalMs);
    const fresh = notOnTheWire([...held.values()], maxBatch);
    if (fresh.length === 0) return;
    expressed += 1;
    try {
      await deliver(...pack(fresh));
    } catch (error) {
      debug('send failed', error);
    } finally {
      expressed -= 1;
    }
  };

  /** The task after capture: what capture kept in memory goes to the queue, and out at once. */
  const afterCapture = () => {
    due = undefined;
    if (writing === undefined) persist();
    if (!stopped) void express();
  };

  const flush = (): Promise<void> => {
    // One drain at a time; calls made while one runs share the single drain queued after it.
    if (waiting) return waiting;
    const failed = failures;
    const next = running
      .then(async () => {
        waiting = undefined;
        // The send this call waited for has failed (a timeout, a 503): the retry timer, with its
        // backoff and Retry-After, decides when to try again, not a flush asked for meanwhile.
        if (failures > failed) return;
        stop();
        await save();
        // Offline: the `online` event flushes again. Another tab sending: look again later.
        if (online() && !(await lock(drain))) schedule(flushIntervalMs);
      })
      .catch((error: unknown) => debug('flush failed', error));
    waiting = running = next;
    return next;
  };

  // What earlier pages left in the queue (a browser that died, a tab closed offline) leaves a moment after the start;
  // without consent the queue is not even opened.
  let leftovers: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
    leftovers = undefined;
    // While a send is failing, its retry timer decides.
    if ((options.allowed?.() ?? true) && failures === 0) void flush();
  }, flushIntervalMs);

  return {
    add(event) {
      held.set(event.eventId, event);
      if (held.size > QUEUE_CAPACITY) held.delete(held.keys().next().value!);
      unsaved.push(event);
      // While the edge is failing, the retry timer alone decides when to try again.
      if (failures === 0 && held.size >= maxBatch) void flush();
      else {
        // In a task of its own (one timer for both, which capture pays for): the write and the send at once.
        // No flush timer beside the send: a drain it started would find this event in the queue, and with
        // another tab's send at once on its way, send that tab's event a second time.
        due ??= setTimeout(afterCapture);
      }
    },
    flush,
    leave() {
      if (!transport.beacon) return void flush();
      // Offline, a beacon would be accepted and then fail: the events wait in the queue.
      while (online() && held.size > 0) {
        const [batch, body] = pack([...held.values()].slice(0, maxBatch));
        // Refused (over the browser's quota): the rest waits in the queue for the next sender.
        if (!transport.beacon(collectUrl, body)) break;
        // A beacon gives no answer; the browser took it, so it leaves the queue (if
        // the page lives long enough to delete it; if not, it is sent again later:
        // a duplicate, counted once downstream by its event id).
        settle(batch);
        queue.remove(batch).catch(() => {});
      }
      void save();
    },
    // A write that is due still happens: what was captured is not dropped. It leaves at the next start.
    stop() {
      stop();
      clearTimeout(leftovers);
      stopped = true;
    },
    clear() {
      held.clear();
      unsaved = [];
      return queue.clear();
    },
  };
}
