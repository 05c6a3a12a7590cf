/**
 * Where the accepted events the ledger did not find are: still in the edge, or
 * gone. Each device's visitor object is asked what it stores through the
 * edge's admin API (`GET /v1/admin/visitors/:anonymousId?site=`, the admin
 * bearer), which reads its storage without creating or waking anything else:
 * its `outboxDepth` is the batches it accepted and the collector has not taken
 * yet.
 *
 * Not the edge's `/metrics`: its `outbox_depth` is the largest depth an outbox
 * reported in the last 5 s, recorded when an outbox changes or its visitor
 * comes back. An outbox whose relay is stuck and whose visitor has left
 * changes no more, so the gauge reads 0 while the batches still wait.
 */

export interface EdgeAdmin {
  url: string;
  bearer: string;
  siteKey: string;
}

export interface OutboxCensus {
  /** Devices asked. */
  devices: number;
  /** Devices whose outbox holds at least one batch. */
  holding: number;
  /** Batches waiting in those outboxes. */
  batches: number;
  /** Devices whose object did not answer (status or error, the first one). */
  unanswered: number;
  firstFailure?: string;
  /** The devices holding batches. */
  holdingDevices: string[];
  /** The devices whose object did not answer: asked again, never taken for empty. */
  unansweredDevices: string[];
}

/** Asks each device's visitor object for its outbox depth, `width` at a time. */
export async function outboxCensus(edge: EdgeAdmin, anonymousIds: Iterable<string>, width = 16, timeoutMs = 10_000): Promise<OutboxCensus> {
  const ids = [...new Set(anonymousIds)];
  const census: OutboxCensus = { devices: ids.length, holding: 0, batches: 0, unanswered: 0, holdingDevices: [], unansweredDevices: [] };
  const ask = async (anonymousId: string): Promise<void> => {
    const url = `${edge.url}/v1/admin/visitors/${encodeURIComponent(anonymousId)}?site=${encodeURIComponent(edge.siteKey)}`;
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${edge.bearer}` }, signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.json().catch(() => undefined)) as { outboxDepth?: unknown } | undefined;
      if (!response.ok || typeof body?.outboxDepth !== 'number') throw new Error(`answered ${response.status}${typeof body?.outboxDepth === 'number' ? '' : ' without outboxDepth'}`);
      if (body.outboxDepth > 0) {
        census.holding += 1;
        census.batches += body.outboxDepth;
        census.holdingDevices.push(anonymousId);
      }
    } catch (error) {
      census.unanswered += 1;
      census.unansweredDevices.push(anonymousId);
      census.firstFailure ??= `${anonymousId}: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  for (let i = 0; i < ids.length; i += width) await Promise.all(ids.slice(i, i + width).map(ask));
  return census;
}

/** The devices of the `ids` (via `deviceOf`), those whose device is unknown left out. */
export function devicesOf(ids: Iterable<string>, deviceOf: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  for (const id of ids) {
    const device = deviceOf.get(id);
    if (device !== undefined) out.add(device);
  }
  return [...out];
}

export function censusText(c: OutboxCensus): string {
  return (
    `${c.batches} batches in the outboxes of ${c.holding} of the ${c.devices} devices asked` +
    (c.unanswered > 0 ? ` (${c.unanswered} objects did not answer; first: ${c.firstFailure ?? '?'})` : '')
  );
}
