/**
 * One sender at a time across the site's tabs, which share the IndexedDB
 * queue: a tab peeks, sends and removes a batch only while it holds the Web
 * Lock, so no two tabs ever send the same queued event (a page's own new
 * events, sent at once from memory, go without it, as its beacon does). Resolves false, without
 * running `send`, when another tab holds it (that tab drains the shared queue).
 * Without the Web Locks API (insecure http pages, Safari before 15.4) each tab
 * sends on its own: an event may then travel twice, and is counted once downstream by its id.
 */
export type SenderLock = (send: () => Promise<void>) => Promise<boolean>;

export const SENDER_LOCK = 'sessionflow-sender';

export function senderLock(locks: LockManager | undefined): SenderLock {
  return locks
    ? (send) => locks.request(SENDER_LOCK, { ifAvailable: true }, (lock) => lock !== null && send().then(() => true)) as Promise<boolean>
    : async (send) => (await send(), true);
}
