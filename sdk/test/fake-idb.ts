/**
 * Just enough of an IndexedDB object store, behind idb-keyval's `UseStore`,
 * for the queue's tests: records kept in key order (numbers, then strings,
 * then arrays item by item, as IndexedDB orders them), requests answered
 * asynchronously, and the transaction completing after its last request.
 * The real IndexedDB path is checked in Chromium (see the README).
 */
import type { UseStore } from 'idb-keyval';

type Key = number | string | Key[];

function compare(a: Key, b: Key): number {
  const rank = (k: Key) => (typeof k === 'number' ? 0 : typeof k === 'string' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function fakeIdbStore(options: { failWith?: Error } = {}): UseStore & { records: () => [Key, unknown][] } {
  let records: [Key, unknown][] = [];
  const use = (<T>(_mode: IDBTransactionMode, callback: (store: IDBObjectStore) => T | PromiseLike<T>): Promise<T> => {
    if (options.failWith) return Promise.reject(options.failWith);
    let pending = 0;
    const transaction: { oncomplete?: () => void } = {};
    const finish = () => setTimeout(() => pending === 0 && transaction.oncomplete?.());
    const request = (run: () => unknown) => {
      const req: { result?: unknown; onsuccess?: (this: unknown) => void } = {};
      pending++;
      queueMicrotask(() => {
        req.result = run();
        req.onsuccess?.call(req);
        pending--;
        finish();
      });
      return req;
    };
    const store = {
      transaction,
      put: (value: unknown, key: Key) =>
        request(() => {
          records = records.filter(([k]) => compare(k, key) !== 0);
          records.push([key, structuredClone(value)]);
          records.sort(([a], [b]) => compare(a, b));
          return key;
        }),
      delete: (key: Key) => request(() => void (records = records.filter(([k]) => compare(k, key) !== 0))),
      count: () => request(() => records.length),
      getAll: (_query: null, count?: number) => request(() => records.slice(0, count).map(([, v]) => structuredClone(v))),
      getAllKeys: (_query: null, count?: number) => request(() => records.slice(0, count).map(([k]) => k)),
    };
    const result = Promise.resolve(callback(store as unknown as IDBObjectStore));
    finish();
    return result;
  }) as UseStore;
  return Object.assign(use, { records: () => records });
}
