/**
 * The visitor's outbox: every accepted batch waits in the object's storage
 * until the collector has taken it, and leaves in the order it came, so one
 * visitor's events reach Kafka in order. A failed relay is retried by an alarm
 * with growing pauses; because local workerd does not keep alarms across
 * restarts, every visit also drains what is waiting. The outbox is bounded:
 * when it is full the visitor's new batches are refused (503), so the SDK
 * keeps them, instead of the object growing without end.
 *
 * A batch is taken in two steps, `reserve` then `taken`, so the visitor
 * object stores it in the same write as its own state: one storage write per
 * batch, committed before the answer.
 */
import type { Decided, DeviceClass, Level, SessionflowEvent } from '@sessionflow/core';
import { relayEnvelope, relayToCollector, type RelayTarget } from '../relay/relay.js';

/** One accepted batch, with where it goes (the Worker's collector URL when it arrived). */
export interface OutboxEntry {
  siteKey: string;
  receivedAt: number;
  events: SessionflowEvent[];
  collectorUrl: string;
  timeoutMs: number;
  /** The browser's device class, relayed with the batch. */
  device?: DeviceClass;
  /** What the visitor object decided for the batch: relayed with it, so the data holds what the page was shown. */
  decisions?: Decided[];
  /** How long the decision took (ms, the edge's clock), reported with the batch. */
  decideMs?: number;
  /** The degradation level the batch's decisions were made at, reported with the batch. */
  level?: Level;
}

export const OUTBOX_LIMIT = 1000;

/** A numbered place for one batch: what to store (with the visitor's state, in one write) and when to wake up for it. */
export interface OutboxSlot {
  key: string;
  entry: OutboxEntry;
  /** The batch and the outbox's next number, to be stored together. */
  writes: Record<string, unknown>;
  /** When the object's alarm must come at the latest, should the relay the visit starts be lost with the object. */
  wakeAt: number;
}
const ENTRY = 'outbox:';
const NEXT = 'outbox-next';
const FIRST_RETRY_MS = 1000;
/**
 * Short enough that a visitor who has left drains within seconds of the collector's return (a crash test
 * saw a 60 s cap hold a broker's backlog for over a minute); the jitter spreads the retries of the many
 * objects an outage left waiting, so the collector is not met by all of them in the same second.
 */
const MAX_RETRY_MS = 10_000;
const JITTER = 0.2;

const keyOf = (seq: number) => `${ENTRY}${String(seq).padStart(15, '0')}`;

/** The pause before the next try after `failures` failed relays in a row: doubling from 1 s to 10 s, ±20 %. */
export const retryDelayMs = (failures: number, random: () => number = Math.random): number =>
  Math.round(Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS) * (1 - JITTER + 2 * JITTER * random()));

export interface OutboxDeps {
  storage: DurableObjectStorage;
  secret: () => Uint8Array;
  now: () => number;
  fetch: typeof fetch;
  /** Asks for the object's one alarm at `atMs` (or earlier, when something else needs it sooner). */
  wakeAt: (atMs: number) => Promise<void>;
  /** Told the depth each time it changes or a relay fails, with the collector the batches go to: the edge's `outbox_depth` signal. */
  observeDepth?: (depth: number, collectorUrl: string) => void;
}

export class Outbox {
  private draining: Promise<void> | undefined;
  private failures = 0;
  /**
   * Keys of the waiting batches, oldest first, and the next batch's number:
   * read once when the object wakes (by one read, however many visits ask at
   * once), then kept here, since this object is the outbox's only writer.
   * Saves a storage listing on every batch and every relay.
   */
  private loading: Promise<{ waiting: string[]; next: number }> | undefined;
  /** What `loading` resolved to, for the steps that must not wait (`taken`). */
  private known: { waiting: string[]; next: number } | undefined;
  /** Batches taken since the object woke, by key, until relayed: the drain reads none of them back from storage. */
  private readonly entries = new Map<string, OutboxEntry>();

  constructor(private readonly deps: OutboxDeps) {}

  async depth(): Promise<number> {
    return (await this.keys()).length;
  }

  /** Whether a batch can be added now. */
  async hasRoom(): Promise<boolean> {
    return (await this.keys()).length < OUTBOX_LIMIT;
  }

  /** Forgets what it knew of its storage, after the object's storage was deleted. */
  forget(): void {
    this.loading = undefined;
    this.known = undefined;
    this.entries.clear();
    this.failures = 0;
  }

  /**
   * A place for one batch, or undefined when the outbox is full (nothing reserved). Nothing is stored here: the
   * caller stores `writes` in the same write as the rest of its batch (the visitor's state), then calls `taken`.
   */
  async reserve(entry: OutboxEntry): Promise<OutboxSlot | undefined> {
    const loaded = await this.loaded();
    if (loaded.waiting.length >= OUTBOX_LIMIT) return undefined;
    // Numbered before any wait: the object lets another visit in while one waits on the network, and two visits that
    // read the number, then stored, took the same key, the second batch overwriting the first (answered 200, never
    // relayed: the flash-sale benchmark lost 118 events so once the SDK sent a device's events side by side).
    // The stored next number is this one's successor at least; the object stores the slot with nothing between that
    // lets another visit in, so later batches store theirs after it, in order (and a wake-up never numbers below
    // the newest waiting batch anyway, see loaded()).
    const key = keyOf(loaded.next);
    loaded.next += 1;
    return {
      key,
      entry,
      writes: { [NEXT]: loaded.next, [key]: entry },
      // Every waiting batch has an alarm behind it. The drain the visit starts lives in this object's memory only: an
      // object reset or evicted while it relays (a restarted dev server, a workerd too busy to finish) would leave the
      // batch until the visitor came back or the expiry alarm (the session's end plus the retention, half an hour and
      // more) — the flash-sale benchmark found 1,484 objects holding batches with no other alarm. Due once the relay had
      // its time and the first retry's pause; a drain that emptied the outbox by then makes it a wake-up with nothing to do.
      wakeAt: this.deps.now() + entry.timeoutMs + FIRST_RETRY_MS,
    };
  }

  /** The slot's writes are stored: the batch waits for its relay. The depth with it. */
  taken(slot: OutboxSlot): number {
    // Forgotten meanwhile (the visitor was erased while its batch was stored): the listing on the next wake counts it.
    const waiting = this.known?.waiting;
    if (waiting === undefined) return 0;
    // In key order: a batch numbered first may be stored last.
    const after = waiting.findIndex((waitingKey) => waitingKey > slot.key);
    waiting.splice(after < 0 ? waiting.length : after, 0, slot.key);
    // Kept for the drain, which then need not read back what was just written.
    this.entries.set(slot.key, slot.entry);
    this.deps.observeDepth?.(waiting.length, slot.entry.collectorUrl);
    return waiting.length;
  }

  /** Relays what waits, oldest first, until it is empty or a relay fails (then an alarm retries). */
  drain(): Promise<void> {
    this.draining ??= this.relayAll().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async keys(): Promise<string[]> {
    return (await this.loaded()).waiting;
  }

  private loaded(): Promise<{ waiting: string[]; next: number }> {
    this.loading ??= (async () => {
      const { storage } = this.deps;
      const waiting = [...(await storage.list({ prefix: ENTRY, limit: OUTBOX_LIMIT + 1 })).keys()];
      const stored = (await storage.get<number>(NEXT)) ?? 0;
      // Past the newest waiting batch whatever the counter says, so a new batch can never take a waiting one's key.
      const newest = waiting.at(-1);
      this.known = { waiting, next: Math.max(stored, newest === undefined ? 0 : Number(newest.slice(ENTRY.length)) + 1) };
      return this.known;
    })().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async relayAll(): Promise<void> {
    const { storage } = this.deps;
    const waiting = await this.keys();
    for (;;) {
      const key = waiting[0];
      if (key === undefined) {
        this.failures = 0;
        return;
      }
      const entry = this.entries.get(key) ?? (await storage.get<OutboxEntry>(key));
      if (entry === undefined) {
        this.entries.delete(key);
        waiting.splice(waiting.indexOf(key), 1);
        continue;
      }
      const target: RelayTarget = { collectorUrl: entry.collectorUrl, secret: this.deps.secret(), timeoutMs: entry.timeoutMs };
      // The depth as the batch leaves, itself included: what the collector's gauge shows of this visitor.
      const edge = entry.decideMs !== undefined ? { outboxDepth: waiting.length, decideMs: entry.decideMs, ...(entry.level !== undefined ? { level: entry.level } : {}) } : undefined;
      const envelope = relayEnvelope(entry.siteKey, entry.events, entry.receivedAt, entry.device, { decisions: entry.decisions, edge });
      const outcome = await relayToCollector(target, envelope, {
        fetch: this.deps.fetch,
        crypto: crypto.subtle,
        now: this.deps.now,
      });
      if (!outcome.ok) {
        this.failures += 1;
        console.error(`relay of ${entry.events.length} events to ${entry.collectorUrl} failed (${outcome.reason}); retry #${this.failures} by alarm`);
        this.deps.observeDepth?.(waiting.length, entry.collectorUrl);
        await this.deps.wakeAt(this.deps.now() + retryDelayMs(this.failures));
        return;
      }
      await storage.delete(key);
      this.entries.delete(key);
      // By its key, not the first: a batch numbered earlier may have been put in front of it meanwhile.
      waiting.splice(waiting.indexOf(key), 1);
      this.deps.observeDepth?.(waiting.length, entry.collectorUrl);
    }
  }
}
