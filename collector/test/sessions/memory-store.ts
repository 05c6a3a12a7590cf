/**
 * Runs the stage's planned Redis commands on plain maps, so the planners can
 * be tested as a sequence of folds and ticks without a Redis. Only the
 * commands the sessions stage plans are understood; anything else throws.
 */
import type { RedisCommand } from '../../src/pipeline/commands.js';
import type { SessionKeys } from '../../src/pipeline/sessions/keys.js';
import { readStoredSession, STORED_SESSION_FIELDS, type StoredSession } from '../../src/pipeline/sessions/stored.js';
import type { TickCandidate } from '../../src/pipeline/sessions/tick-plan.js';

export class MemoryStore {
  readonly strings = new Map<string, string>();
  readonly hashes = new Map<string, Map<string, string>>();
  readonly sortedSets = new Map<string, Map<string, number>>();
  readonly sets = new Map<string, Set<string>>();
  /** Key → the TTL (seconds) its latest EXPIRE gave it. */
  readonly expiring = new Map<string, number>();
  /** Key → the epoch second its latest EXPIREAT gave it. */
  readonly expiringAt = new Map<string, number>();

  run(commands: readonly RedisCommand[]): void {
    for (const command of commands) this.one(command);
  }

  session(keys: SessionKeys, sessionId: string): StoredSession | null {
    const hash = this.hashes.get(keys.session(sessionId));
    return readStoredSession(STORED_SESSION_FIELDS.map((field) => hash?.get(field) ?? null));
  }

  members(key: string): Map<string, number> {
    return new Map(this.sortedSets.get(key) ?? []);
  }

  /** What the ticker reads for the partition `keys` are of: sessions idle before `cutoff`, and those due by `now`. */
  candidates(keys: SessionKeys, now: number, cutoff: number | undefined): TickCandidate[] {
    const idle = [...this.members(keys.open)].filter(([, at]) => cutoff !== undefined && at < cutoff).map(([id]) => id);
    const due = new Map([...this.members(keys.due)].filter(([, at]) => at <= now));
    return [...new Set([...idle, ...due.keys()])].map((sessionId) => {
      const dueAt = due.get(sessionId);
      return { sessionId, stored: this.session(keys, sessionId), ...(dueAt !== undefined ? { dueAt } : {}) };
    });
  }

  private one(command: RedisCommand): void {
    const [name, key = '', ...args] = command;
    switch (name) {
      case 'SET':
        this.strings.set(key, args[0] ?? '');
        return;
      case 'HSET': {
        const hash = this.hashes.get(key) ?? new Map<string, string>();
        for (let i = 0; i + 1 < args.length; i += 2) hash.set(args[i]!, args[i + 1]!);
        this.hashes.set(key, hash);
        return;
      }
      case 'HSETNX': {
        const hash = this.hashes.get(key) ?? new Map<string, string>();
        if (!hash.has(args[0]!)) hash.set(args[0]!, args[1]!);
        this.hashes.set(key, hash);
        return;
      }
      case 'EXPIREAT':
        this.expiringAt.set(key, Number(args[0]));
        return;
      case 'HINCRBY': {
        const hash = this.hashes.get(key) ?? new Map<string, string>();
        hash.set(args[0]!, String(Number(hash.get(args[0]!) ?? 0) + Number(args[1])));
        this.hashes.set(key, hash);
        return;
      }
      case 'HDEL':
        for (const field of args) this.hashes.get(key)?.delete(field);
        return;
      case 'PERSIST':
        this.expiring.delete(key);
        return;
      case 'EXPIRE':
        this.expiring.set(key, Number(args[0]));
        return;
      case 'ZADD': {
        const set = this.sortedSets.get(key) ?? new Map<string, number>();
        const flags = args.filter((a) => a === 'NX' || a === 'XX' || a === 'GT');
        const pairs = args.slice(flags.length);
        for (let i = 0; i + 1 < pairs.length; i += 2) {
          const [score, member] = [Number(pairs[i]), pairs[i + 1]!];
          const before = set.get(member);
          if ((flags.includes('NX') && before !== undefined) || (flags.includes('XX') && before === undefined)) continue;
          if (flags.includes('GT') && before !== undefined && score <= before) continue;
          set.set(member, score);
        }
        this.sortedSets.set(key, set);
        return;
      }
      case 'ZREMRANGEBYSCORE': {
        const set = this.sortedSets.get(key);
        const [min = '', max = ''] = args;
        const below = (score: number) => (max.startsWith('(') ? score < Number(max.slice(1)) : score <= Number(max));
        if (min !== '-inf') throw new Error('the memory store trims from -inf only');
        for (const [member, score] of set ?? []) if (below(score)) set?.delete(member);
        return;
      }
      case 'ZREMRANGEBYRANK': {
        const set = this.sortedSets.get(key);
        if (set === undefined) return;
        const ranked = [...set].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1)).map(([member]) => member);
        const at = (i: number) => (i < 0 ? ranked.length + i : i);
        for (const member of ranked.slice(at(Number(args[0])), at(Number(args[1])) + 1)) set.delete(member);
        return;
      }
      case 'SADD': {
        const set = this.sets.get(key) ?? new Set<string>();
        for (const member of args) set.add(member);
        this.sets.set(key, set);
        return;
      }
      case 'ZREM':
        for (const member of args) this.sortedSets.get(key)?.delete(member);
        return;
      default:
        throw new Error(`the memory store does not know ${name}`);
    }
  }
}
