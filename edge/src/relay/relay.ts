/**
 * The relay to the collector: the accepted events of one batch, in the relay
 * envelope, signed with HMAC over exactly the bytes sent. A collector that is
 * down, slow or answering non-2xx is reported as unavailable; the caller
 * decides what to tell the browser (a later issue adds a durable outbox).
 */
import { RELAY_VERSION, SIGNATURE_HEADER, signRelay, type Decided, type DeviceClass, type EdgeReport, type HmacCrypto, type RelayEnvelope, type SessionflowEvent } from '@sessionflow/core';

export const INGEST_PATH = '/v1/ingest';

export interface RelayTarget {
  /** Collector base URL without a trailing slash. */
  collectorUrl: string;
  secret: Uint8Array;
  timeoutMs: number;
}

export type RelayOutcome = { ok: true; status: number } | { ok: false; reason: string };

/** What the visitor object adds to a batch it relays: its decisions for the batch, and its report. */
export interface RelayExtras {
  decisions?: readonly Decided[] | undefined;
  edge?: EdgeReport | undefined;
}

export function relayEnvelope(siteKey: string, events: readonly SessionflowEvent[], receivedAt: number, device?: DeviceClass, extras: RelayExtras = {}): RelayEnvelope {
  return {
    relayVersion: RELAY_VERSION,
    siteKey,
    receivedAt,
    ...(device !== undefined ? { device } : {}),
    events: [...events],
    ...(extras.decisions !== undefined && extras.decisions.length > 0 ? { decisions: [...extras.decisions] } : {}),
    ...(extras.edge !== undefined ? { edge: extras.edge } : {}),
  };
}

export async function relayToCollector(
  target: RelayTarget,
  envelope: RelayEnvelope,
  deps: { fetch: typeof fetch; crypto: SubtleCrypto; now: () => number },
): Promise<RelayOutcome> {
  const body = new TextEncoder().encode(JSON.stringify(envelope));
  const signature = await signRelay(deps.crypto as unknown as HmacCrypto, target.secret, body, deps.now());
  let response: Response;
  try {
    response = await deps.fetch(`${target.collectorUrl}${INGEST_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
      body,
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return {
      ok: false,
      reason: timedOut ? `no answer within ${target.timeoutMs} ms` : `unreachable (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  // The body is not needed either way; reading it frees the connection.
  const detail = await response.text().catch(() => '');
  if (!response.ok) return { ok: false, reason: `answered ${response.status}${detail ? `: ${detail.slice(0, 200)}` : ''}` };
  return { ok: true, status: response.status };
}
