/**
 * Live feeds for the pages' server-sent events. A feed is read again every `pollMs` while at least
 * one page watches it (and not at all otherwise); each watcher gets the current picture at once and
 * then each new picture that differs from the last one sent. Many pages watching one feed cost one
 * read per interval.
 */
export type Listener = (picture: unknown) => void;

interface Feed {
  read: () => Promise<unknown>;
  listeners: Set<Listener>;
  last?: { json: string; picture: unknown };
  timer?: NodeJS.Timeout;
  reading: boolean;
}

export class LiveHub {
  private readonly feeds = new Map<string, Feed>();
  private closed = false;

  constructor(private readonly pollMs: number) {}

  /** Watches feed `key` (made with `read` by its first watcher); returns the unwatch. */
  watch(key: string, read: () => Promise<unknown>, listener: Listener): () => void {
    if (this.closed) throw new Error('LiveHub is closed');
    let feed = this.feeds.get(key);
    if (feed === undefined) {
      feed = { read, listeners: new Set(), reading: false };
      this.feeds.set(key, feed);
      const started = feed;
      void this.tick(started);
      started.timer = setInterval(() => void this.tick(started), this.pollMs);
    } else if (feed.last !== undefined) {
      listener(feed.last.picture);
    }
    feed.listeners.add(listener);
    const watched = feed;
    return () => {
      watched.listeners.delete(listener);
      if (watched.listeners.size === 0) {
        clearInterval(watched.timer);
        if (this.feeds.get(key) === watched) this.feeds.delete(key);
      }
    };
  }

  /** Feeds being read now (for tests and the README's claim that unwatched feeds cost nothing). */
  watchedFeeds(): string[] {
    return [...this.feeds.keys()];
  }

  close(): void {
    this.closed = true;
    for (const feed of this.feeds.values()) clearInterval(feed.timer);
    this.feeds.clear();
  }

  private async tick(feed: Feed): Promise<void> {
    // A slow read is not stacked on: the next interval reads again once this one is done.
    if (feed.reading) return;
    feed.reading = true;
    try {
      const picture = await feed.read().catch((error: unknown) => ({ problems: [error instanceof Error ? error.message : String(error)] }));
      const json = JSON.stringify(withoutClock(picture));
      if (feed.last?.json === json) return;
      feed.last = { json, picture };
      for (const listener of feed.listeners) listener(picture);
    } finally {
      feed.reading = false;
    }
  }
}

/** A picture's `at` (when it was read) is not a change. */
function withoutClock(picture: unknown): unknown {
  if (picture === null || typeof picture !== 'object' || !('at' in picture)) return picture;
  const { at: _at, ...rest } = picture as Record<string, unknown>;
  return rest;
}
