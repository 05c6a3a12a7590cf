/** Waiting for devices to go quiet before a test acts on what they sent. */

/** Polls `count` until it stays the same for `quietMs`: the devices sent their last events (a page's close sends some). */
export async function settled(count: () => Promise<number>, quietMs = 3_000, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await count();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`still changing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await count();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}
