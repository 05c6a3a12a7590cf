/**
 * What one collect batch costs the visitor object's storage: a single write
 * (one `put` of the state, the batch and the outbox's counter, with the alarm
 * beside it in the same commit), done before the answer, so the batch is
 * durable when the browser hears 200; the relay comes after the answer.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { VisitInput, VisitOutcome, VisitorDO } from '../src/visitor/visitor-do.js';
import { newVisitor, visitorEvent } from './events.js';
import { stubCollector } from './helpers.js';

const objectOf = (visitor: string) => env.VISITOR!.get(env.VISITOR!.idFromName(`demo-site-key:${visitor}`));

const WRITES = ['put', 'delete', 'deleteAll', 'setAlarm', 'deleteAlarm', 'transaction'] as const;

interface Write {
  method: (typeof WRITES)[number];
  /** The keys a put or delete named. */
  keys: string[];
  /** Calls issued in one synchronous run, with no wait between them, share a turn: the storage commits them as one. */
  turn: number;
}

/** Runs `work` with every write method of `storage` recorded (the object's own storage: the same one its outbox holds). */
async function recordingWrites(storage: DurableObjectStorage, work: () => Promise<unknown>): Promise<Write[]> {
  const writes: Write[] = [];
  let turn = 0;
  let open = false;
  const target = storage as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = WRITES.map((method) => [method, target[method]!] as const);
  for (const [method, original] of originals) {
    target[method] = (...args: unknown[]) => {
      if (!open) {
        open = true;
        turn += 1;
        queueMicrotask(() => (open = false));
      }
      const first = args[0];
      const keys = typeof first === 'string' ? [first] : Array.isArray(first) ? first.map(String) : first !== null && typeof first === 'object' ? Object.keys(first) : [];
      writes.push({ method, keys, turn });
      return original.apply(storage, args);
    };
  }
  try {
    await work();
  } finally {
    for (const [method] of originals) delete target[method];
  }
  return writes;
}

function batchOf(visitor: string, collectorUrl: string, at: number): VisitInput {
  return {
    anonymousId: visitor,
    events: [visitorEvent(visitor, 'page_view', at), visitorEvent(visitor, 'click', at + 1, { element: { tag: 'button' }, product: { id: 'sku-1', category: 'lighting' } })] as never,
    receivedAt: at,
    relay: { siteKey: 'demo-site-key', collectorUrl, timeoutMs: 2000 },
  };
}

describe("a collect batch in the visitor's object", () => {
  it('is one storage write: the state, the batch and the counter in one put, committed with the alarm, before the answer', async () => {
    // The relay hangs: whatever the object writes after relaying cannot fall inside the recorded visit.
    const collector = stubCollector('hang');
    const visitor = newVisitor();
    const object = objectOf(visitor);
    // A first batch wakes the object (its outbox listing and state read); the second is the one counted.
    await runInDurableObject(object, (instance) => (instance as VisitorDO).visit(batchOf(visitor, collector.url, Date.now())));
    const { writes, outcome, stored } = await runInDurableObject(object, async (instance, state) => {
      let outcome: VisitOutcome | undefined;
      const writes = await recordingWrites(state.storage, async () => {
        outcome = await (instance as VisitorDO).visit(batchOf(visitor, collector.url, Date.now()));
      });
      return { writes, outcome, stored: [...(await state.storage.list()).keys()] };
    });

    expect(outcome?.outcome).toBe('taken');
    const puts = writes.filter((write) => write.method === 'put');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.keys).toEqual(expect.arrayContaining(['visitor', 'outbox-next']));
    expect(puts[0]!.keys.filter((key) => key.startsWith('outbox:'))).toHaveLength(1);
    // Nothing else but at most the alarm, in the put's turn.
    expect(writes.filter((write) => write.method !== 'put' && write.method !== 'setAlarm')).toEqual([]);
    expect(new Set(writes.map((write) => write.turn)).size).toBe(1);
    // Stored when the answer came: both batches wait in the outbox.
    expect(stored.filter((key) => key.startsWith('outbox:'))).toHaveLength(2);
  });
});
