/**
 * A StoreClient for unit tests: reads answered from plain maps, and each
 * batch script (store/guarded-batch.ts) decoded back into its declared keys,
 * guards and commands instead of run. What a test does not fake throws, so a
 * planner reading something new fails loudly here rather than read nothing.
 */
import type { RedisCommand } from '../src/pipeline/commands.js';
import type { StoreClient, StoreScript } from '../src/store/client.js';
import type { Guard } from '../src/store/guarded-batch.js';
import { READ_SESSIONS } from '../src/pipeline/sessions/apply.js';

/** One batch as the store received it. */
export interface SentBatch {
  /** The keys the script declared (KEYS). */
  keys: string[];
  guards: Guard[];
  /** The commands in their order; a planner script's call is named `#<its number>`. */
  commands: RedisCommand[];
}

/** The batch script's one argument (a JSON array: guards, checks, commands; batch-script.ts) read back. */
export function decodeBatch(keys: readonly string[], args: readonly string[]): SentBatch {
  const [packed] = args;
  if (packed === undefined || args.length !== 1) throw new Error(`a batch script takes one argument, got ${args.length}`);
  const a = JSON.parse(packed) as string[];
  let i = 0;
  const next = (): string => {
    const value = a[i++];
    if (value === undefined) throw new Error('the batch arguments end early');
    return value;
  };
  const guards: Guard[] = [];
  for (let g = Number(next()); g > 0; g--) {
    const key = next();
    const field = next();
    const present = next();
    const value = next();
    guards.push({ key, ...(field === '' ? {} : { field }), expected: present === '1' ? value : null });
  }
  const checks = Number(next());
  i += 5 * checks;
  const commands: RedisCommand[] = [];
  while (i < a.length) {
    const count = Number(next());
    commands.push(Array.from({ length: count }, next));
  }
  return { keys: [...keys], guards, commands };
}

export interface FakeStore {
  client: StoreClient;
  /** Every batch script run, in order. */
  batches: SentBatch[];
  strings: Map<string, string>;
  hashes: Map<string, Map<string, string>>;
}

/** Strings and hashes to read; every batch script answers "applied" unless `refuse` says otherwise. */
export function fakeStore(strings: Record<string, string> = {}, hashes: Record<string, Record<string, string>> = {}, refuse: (batch: SentBatch) => boolean = () => false): FakeStore {
  const store: FakeStore = {
    batches: [],
    strings: new Map(Object.entries(strings)),
    hashes: new Map(Object.entries(hashes).map(([key, fields]) => [key, new Map(Object.entries(fields))])),
    client: undefined as unknown as StoreClient,
  };
  const unfaked = (name: string) => () => {
    throw new Error(`the fake store does not answer ${name}`);
  };
  const client: Partial<StoreClient> = {
    kind: 'single',
    get: async (key) => store.strings.get(key) ?? null,
    mGet: async (keys) => keys.map((key) => store.strings.get(key) ?? null),
    hGet: async (key, field) => store.hashes.get(key)?.get(field) ?? null,
    hmGet: async (key, fields) => fields.map((field) => store.hashes.get(key)?.get(field) ?? null),
    hGetAll: async (key) => Object.fromEntries(store.hashes.get(key) ?? []),
    runScript: async (script: StoreScript, keys, args) => {
      // The sessions stage reads its hashes with a script of its own: HMGET of each key.
      if (script.sha === READ_SESSIONS.sha) return keys.map((key) => args.map((field) => store.hashes.get(key)?.get(field) ?? null));
      const batch = decodeBatch(keys, args);
      store.batches.push(batch);
      return refuse(batch) ? [0, 1] : [1];
    },
  };
  store.client = new Proxy(client as StoreClient, {
    get: (target, name) => (typeof name !== 'string' || name === 'then' || name in target ? (target as unknown as Record<string | symbol, unknown>)[name] : unfaked(name)),
  });
  return store;
}
