/**
 * A Durable Object has one alarm; the visitor object has two reasons to wake
 * up: the outbox's next retry and the end of its retention. Whoever asks sets
 * the alarm only when it is earlier than the one already set, so the earliest
 * wins; the alarm handler then does what is due and asks again for the rest.
 * (Inside the handler `getAlarm()` is null until something set a new one.)
 */
export async function wakeNoLaterThan(storage: DurableObjectStorage, atMs: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || atMs < current) await storage.setAlarm(atMs);
}
