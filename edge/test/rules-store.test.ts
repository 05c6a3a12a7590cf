import { env } from 'cloudflare:workers';
import { DEMO_RULES, type RulesDocument } from '@sessionflow/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { RULES_KEY, rulesStore, sharedRulesStore, type RulesStore } from '../src/rules/store.js';

const REFRESH_MS = 10_000;

function documentOf(version: string, title = `Banner of ${version}`): RulesDocument {
  return {
    version,
    rules: [
      {
        id: 'banner.views',
        priority: 1,
        when: { '>=': [{ var: 'signals.productViews' }, 3] },
        actions: [{ kind: 'banner', title }],
      },
    ],
  };
}

/** A clock the test moves by hand, the lines the store logged, and its background refreshes. */
function harness() {
  const clock = { ms: 1_000_000 };
  const lines: string[] = [];
  const background: Promise<unknown>[] = [];
  const options = { refreshMs: REFRESH_MS, now: () => clock.ms, log: (line: string) => lines.push(line), background: (work: Promise<unknown>) => void background.push(work) };
  /** A call once a refresh is due (it starts the refresh), then what is served once the refresh is done. */
  const refreshed = async (store: RulesStore) => {
    await store.current();
    await Promise.all(background.splice(0));
    return store.current();
  };
  return { clock, lines, options, refreshed };
}

/** A KV namespace whose reads the test controls: a value, a failure, or a read left pending. */
class FakeKv {
  value: string | null = null;
  failure: Error | undefined;
  reads = 0;
  private pending: Array<() => void> = [];
  holdReads = false;

  async get(key: string, type: string): Promise<string | null> {
    expect([key, type]).toEqual([RULES_KEY, 'text']);
    this.reads++;
    if (this.holdReads) await new Promise<void>((resolve) => this.pending.push(resolve));
    if (this.failure) throw this.failure;
    return this.value;
  }

  release(): void {
    for (const resolve of this.pending.splice(0)) resolve();
  }

  asNamespace(): KVNamespace {
    return this as unknown as KVNamespace;
  }
}

beforeEach(async () => {
  await env.RULES!.delete(RULES_KEY);
});

describe('rulesStore over the RULES KV namespace', () => {
  it('serves the demo rules, as the default, when KV holds no document', async () => {
    const { options, lines } = harness();
    const served = await rulesStore(env.RULES, options).current();
    expect(served).toEqual({ rules: DEMO_RULES, version: DEMO_RULES.version, source: 'default' });
    expect(lines).toEqual([]);
  });

  it('serves the demo rules when there is no KV binding at all', async () => {
    const served = await rulesStore(undefined).current();
    expect(served.source).toBe('default');
    expect(served.rules).toEqual(DEMO_RULES);
    expect(served.error).toBeUndefined();
  });

  it('serves a good document from KV', async () => {
    await env.RULES!.put(RULES_KEY, JSON.stringify(documentOf('2025-06-01.1')));
    const { options, lines } = harness();
    const served = await rulesStore(env.RULES, options).current();
    expect(served).toEqual({ rules: documentOf('2025-06-01.1'), version: '2025-06-01.1', source: 'kv' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('2025-06-01.1');
  });

  it('serves a newly pushed version once refreshMs has passed and the background read is back, and not before', async () => {
    await env.RULES!.put(RULES_KEY, JSON.stringify(documentOf('v1')));
    const { clock, options, refreshed } = harness();
    const store = rulesStore(env.RULES, options);
    expect((await store.current()).version).toBe('v1');

    await env.RULES!.put(RULES_KEY, JSON.stringify(documentOf('v2')));
    clock.ms += REFRESH_MS - 1;
    expect((await store.current()).version).toBe('v1');
    clock.ms += 1;
    // The call that finds the refresh due is not held up by the read: it gets what is in hand.
    expect((await store.current()).version).toBe('v1');
    const served = await refreshed(store);
    expect(served.version).toBe('v2');
    expect(served.rules.rules[0]?.actions[0]?.title).toBe('Banner of v2');
  });

  it('fresh() waits for a due refresh itself, with nothing left to the background, and reads nothing while none is due', async () => {
    await env.RULES!.put(RULES_KEY, JSON.stringify(documentOf('v1')));
    const { clock, options } = harness();
    const started: Promise<unknown>[] = [];
    const store = rulesStore(env.RULES, { ...options, background: (work) => void started.push(work) });
    expect((await store.fresh()).version).toBe('v1');

    const bad = { ...documentOf('v2'), rules: [{ ...documentOf('v2').rules[0], priority: 'high' }] };
    await env.RULES!.put(RULES_KEY, JSON.stringify(bad));
    clock.ms += REFRESH_MS - 1;
    expect((await store.fresh()).error).toBeUndefined();
    clock.ms += 1;
    const served = await store.fresh();
    expect(served.version).toBe('v1');
    expect(served.error).toMatch(/priority/);
    expect(started).toEqual([]);
  });

  it('refuses a bad document, keeps serving the previous one, and logs the error path once', async () => {
    await env.RULES!.put(RULES_KEY, JSON.stringify(documentOf('v1')));
    const { clock, options, lines, refreshed } = harness();
    const store = rulesStore(env.RULES, options);
    await store.current();
    lines.length = 0;

    const bad = { ...documentOf('v2'), rules: [{ ...documentOf('v2').rules[0], priority: 'high' }] };
    await env.RULES!.put(RULES_KEY, JSON.stringify(bad));
    clock.ms += REFRESH_MS;
    const served = await refreshed(store);
    expect(served.version).toBe('v1');
    expect(served.source).toBe('kv');
    expect(served.rules).toEqual(documentOf('v1'));
    expect(served.error).toMatch(/^rules\.0\.priority: /);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('rules.0.priority');
    expect(lines[0]).toContain('"v2"');
    expect(lines[0]).toContain('"v1"');

    // The same bad document again: still refused, not logged again.
    clock.ms += REFRESH_MS;
    expect((await refreshed(store)).version).toBe('v1');
    expect(lines).toHaveLength(1);

    // Another bad document is a new refusal, with its own path.
    await env.RULES!.put(RULES_KEY, JSON.stringify({ version: 'v3', rules: [], cooldown: 5 }));
    clock.ms += REFRESH_MS;
    expect((await refreshed(store)).error).toMatch(/^cooldown: /);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('cooldown');

    // A good document again clears the error.
    await env.RULES!.put(RULES_KEY, JSON.stringify(documentOf('v4')));
    clock.ms += REFRESH_MS;
    const fixed = await refreshed(store);
    expect(fixed.version).toBe('v4');
    expect(fixed.error).toBeUndefined();
  });

  it('keeps the demo rules when the first document it ever sees is bad', async () => {
    await env.RULES!.put(RULES_KEY, '{"version": "v1", "rules": [');
    const { options, lines } = harness();
    const served = await rulesStore(env.RULES, options).current();
    expect(served.source).toBe('default');
    expect(served.rules).toEqual(DEMO_RULES);
    expect(served.error).toMatch(/^\(document\): is not JSON/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('(document)');
  });

  it('goes back to the default when the document is deleted from KV', async () => {
    await env.RULES!.put(RULES_KEY, JSON.stringify(documentOf('v1')));
    const { clock, options, refreshed } = harness();
    const store = rulesStore(env.RULES, options);
    expect((await store.current()).source).toBe('kv');
    await env.RULES!.delete(RULES_KEY);
    clock.ms += REFRESH_MS;
    expect(await refreshed(store)).toMatchObject({ source: 'default', version: DEMO_RULES.version });
  });
});

describe('rulesStore when KV misbehaves', () => {
  it('keeps serving what it had while KV reads throw, logs the outage once, and recovers', async () => {
    const kv = new FakeKv();
    kv.value = JSON.stringify(documentOf('v1'));
    const { clock, options, lines, refreshed } = harness();
    const store = rulesStore(kv.asNamespace(), options);
    const before = await store.current();
    lines.length = 0;

    kv.failure = new Error('KV GET failed: 503 Service Unavailable');
    clock.ms += REFRESH_MS;
    const during = await refreshed(store);
    expect(during.rules).toBe(before.rules);
    expect(during.version).toBe('v1');
    expect(during.error).toContain('503 Service Unavailable');
    clock.ms += REFRESH_MS;
    expect((await refreshed(store)).rules).toBe(before.rules);
    expect(kv.reads).toBe(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('503 Service Unavailable');

    kv.failure = undefined;
    kv.value = JSON.stringify(documentOf('v2'));
    clock.ms += REFRESH_MS;
    const after = await refreshed(store);
    expect(after.version).toBe('v2');
    expect(after.error).toBeUndefined();
  });

  it('answers at once while a due refresh waits on a slow KV read, and serves its result after', async () => {
    const kv = new FakeKv();
    kv.value = JSON.stringify(documentOf('v1'));
    const { clock, options, refreshed } = harness();
    const store = rulesStore(kv.asNamespace(), options);
    await store.current();
    kv.value = JSON.stringify(documentOf('v2'));
    kv.holdReads = true;
    clock.ms += REFRESH_MS;
    // Were the read on the hot path, this would never resolve: the read is held until release().
    expect((await store.current()).version).toBe('v1');
    expect(kv.reads).toBe(2);
    kv.release();
    expect((await refreshed(store)).version).toBe('v2');
    expect(kv.reads).toBe(2);
  });

  it('serves the default when KV throws before any document was read', async () => {
    const kv = new FakeKv();
    kv.failure = new Error('network lost');
    const served = await rulesStore(kv.asNamespace(), harness().options).current();
    expect(served.source).toBe('default');
    expect(served.error).toContain('network lost');
  });

  it('shares one KV read among the callers that arrive during a refresh', async () => {
    const kv = new FakeKv();
    kv.value = JSON.stringify(documentOf('v1'));
    kv.holdReads = true;
    const store = rulesStore(kv.asNamespace(), harness().options);
    const waiting = [store.current(), store.current(), store.current()];
    await Promise.resolve();
    kv.release();
    const served = await Promise.all(waiting);
    expect(kv.reads).toBe(1);
    expect(served.map((s) => s.version)).toEqual(['v1', 'v1', 'v1']);
    expect(served[1]).toBe(served[0]);
    // Within refreshMs nobody reads again.
    await store.current();
    expect(kv.reads).toBe(1);
  });

  it('does not parse or log an unchanged document again, and keeps handing out the same object', async () => {
    const kv = new FakeKv();
    kv.value = JSON.stringify(documentOf('v1'));
    const { clock, options, lines, refreshed } = harness();
    const store = rulesStore(kv.asNamespace(), options);
    const first = await store.current();
    clock.ms += REFRESH_MS;
    const second = await refreshed(store);
    expect(kv.reads).toBe(2);
    expect(second).toBe(first);
    expect(lines).toHaveLength(1);
  });
});

describe('sharedRulesStore', () => {
  it('hands out one store per KV binding', () => {
    const kv = new FakeKv().asNamespace();
    expect(sharedRulesStore(kv)).toBe(sharedRulesStore(kv));
    expect(sharedRulesStore(new FakeKv().asNamespace())).not.toBe(sharedRulesStore(kv));
  });
});
