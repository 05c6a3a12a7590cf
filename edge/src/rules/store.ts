/**
 * The rules document the edge decides with, read from Workers KV (key `rules`)
 * and re-read every `refreshMs`, so `npm run rules:push` takes effect without a
 * redeploy. A document that fails core's `parseRules` is refused whole: the
 * previous good one keeps serving (the built-in demo document when there never
 * was one), and the refusal is logged once per refused document. A KV outage
 * changes nothing that is served. Only the first read is waited for: after
 * that a due refresh runs in the background and the document in hand serves
 * meanwhile, so a KV read never sits on a decision's hot path.
 */
import { DEMO_RULES, parseRules, type RulesDocument } from '@sessionflow/core';
import { RULES_KEY, claimedVersion, describeRulesError, rulesFromText } from './document.js';

export { RULES_KEY };
export const DEFAULT_RULES_REFRESH_MS = 10_000;

export interface ServedRules {
  rules: RulesDocument;
  /** `rules.version`. */
  version: string;
  /** `default`: the built-in demo document (no KV binding, or no document stored). */
  source: 'kv' | 'default';
  /** Why the newest stored document is not what is served: the first error of a refused document, or the KV failure. */
  error?: string;
}

export interface RulesStore {
  /** The document to decide with now: a due refresh runs in the background (only the first read is waited for). */
  current(): Promise<ServedRules>;
  /**
   * The document after a due refresh, waited for: for a read that is not on a
   * decision's path (the admin view), where a refresh left to the background
   * would be cancelled with the request that started it.
   */
  fresh(): Promise<ServedRules>;
}

export interface RulesStoreOptions {
  refreshMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  /** Keeps a background refresh alive past the request that started it (`ctx.waitUntil`). */
  background?: (work: Promise<unknown>) => void;
}

let builtIn: ServedRules | undefined;

/** DEMO_RULES through parseRules, like any document: a frozen, JSON-only copy the engine may cache against. */
function defaultRules(): ServedRules {
  if (builtIn === undefined) {
    const parsed = parseRules(DEMO_RULES);
    if (!parsed.ok) throw new Error(`DEMO_RULES is refused by parseRules: ${parsed.errors.map(describeRulesError).join('; ')}`);
    builtIn = { rules: parsed.rules, version: parsed.rules.version, source: 'default' };
  }
  return builtIn;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeServed(served: ServedRules): string {
  return served.source === 'kv' ? `version "${served.version}" from KV` : `the built-in version "${served.version}"`;
}

export function rulesStore(kv: KVNamespace | undefined, options: RulesStoreOptions = {}): RulesStore {
  if (kv === undefined) {
    const served = defaultRules();
    return { current: () => Promise.resolve(served), fresh: () => Promise.resolve(served) };
  }
  const namespace = kv;
  const refreshMs = options.refreshMs ?? DEFAULT_RULES_REFRESH_MS;
  const now = options.now ?? (() => Date.now());
  const log = options.log ?? ((line: string) => console.log(line));
  const background = options.background ?? (() => {});

  /** The last good document read from KV, and its text (an unchanged text is not parsed again). */
  let good: { text: string; served: ServedRules } | undefined;
  /** The last refused text and why: the same bad document is neither parsed nor logged twice in a row. */
  let refused: { text: string; error: string } | undefined;
  /** Set while KV reads fail. */
  let kvError: string | undefined;
  let served: ServedRules = defaultRules();
  let checkedAt: number | undefined;
  let refreshing: Promise<ServedRules> | undefined;

  /** Keeps `served` the same object while nothing changed, so callers can cache by identity. */
  function publish(): ServedRules {
    const base = good?.served ?? defaultRules();
    const error = kvError ?? refused?.error;
    if (served.rules !== base.rules || served.source !== base.source || served.error !== error) {
      served = error === undefined ? base : { ...base, error };
    }
    return served;
  }

  function take(text: string | null): void {
    if (text === null) {
      if (good !== undefined) log(`rules: key "${RULES_KEY}" is no longer in KV; serving ${describeServed(defaultRules())}`);
      good = undefined;
      refused = undefined;
      return;
    }
    if (text === good?.text) {
      refused = undefined;
      return;
    }
    if (text === refused?.text) return;
    const parsed = rulesFromText(text);
    if (parsed.ok) {
      good = { text, served: { rules: parsed.rules, version: parsed.rules.version, source: 'kv' } };
      refused = undefined;
      log(`rules: serving version "${parsed.rules.version}" from KV (${parsed.rules.rules.length} rules)`);
      return;
    }
    const [first] = parsed.errors;
    const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : '';
    const version = claimedVersion(text);
    refused = { text, error: first === undefined ? 'refused' : describeRulesError(first) };
    log(
      `rules: refused the document in KV${version === undefined ? '' : ` (version "${version}")`}: ${refused.error}${more}; ` +
        `still serving ${describeServed(good?.served ?? defaultRules())}`,
    );
  }

  async function refresh(): Promise<ServedRules> {
    let text: string | null;
    try {
      text = await namespace.get(RULES_KEY, 'text');
    } catch (err) {
      // Logged once per outage, not once per refresh.
      if (kvError === undefined) log(`rules: KV read failed (${errorMessage(err)}); still serving ${describeServed(good?.served ?? defaultRules())}`);
      kvError = `KV read failed: ${errorMessage(err)}`;
      return publish();
    }
    kvError = undefined;
    take(text);
    return publish();
  }

  const due = (): boolean => checkedAt === undefined || now() - checkedAt >= refreshMs;
  const refreshed = (): Promise<ServedRules> =>
    (refreshing ??= refresh().finally(() => {
      checkedAt = now();
      refreshing = undefined;
    }));

  return {
    current(): Promise<ServedRules> {
      if (!due()) return Promise.resolve(served);
      if (checkedAt === undefined) return refreshed(); // the first read: there is nothing to serve before it
      background(refreshed());
      return Promise.resolve(served);
    },
    fresh(): Promise<ServedRules> {
      return due() ? refreshed() : Promise.resolve(served);
    },
  };
}

const shared = new WeakMap<KVNamespace, RulesStore>();

/**
 * One store per KV binding for the isolate, so every request (and every visitor
 * object in the isolate) shares its cache and its memory of the last good document.
 */
export function sharedRulesStore(kv: KVNamespace | undefined): RulesStore {
  if (kv === undefined) return rulesStore(undefined);
  let store = shared.get(kv);
  if (store === undefined) {
    store = rulesStore(kv);
    shared.set(kv, store);
  }
  return store;
}
