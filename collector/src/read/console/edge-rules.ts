/**
 * `GET /v1/admin/rules` on the collector: the edge's `GET /v1/admin/rules`
 * relayed (`${EDGE_URL}/v1/admin/rules`, `Authorization: Bearer
 * <EDGE_ADMIN_SECRET>`), so the console shows the rules document in force
 * without holding the edge's secret. Anything but a 200 with the expected
 * shape is an EdgeRulesError, answered 503 by the route.
 */
import type { AdminRulesView } from '@sessionflow/core';

export const EDGE_RULES_TIMEOUT_MS = 5_000;

export class EdgeRulesError extends Error {
  constructor(reason: string) {
    super(`the edge did not answer its rules: ${reason}`);
    this.name = 'EdgeRulesError';
  }
}

export interface EdgeRulesReader {
  read(): Promise<AdminRulesView>;
}

export function edgeRulesReader(o: { edgeUrl: string; secret: string; fetch?: typeof fetch; timeoutMs?: number }): EdgeRulesReader {
  const fetchFn = o.fetch ?? fetch;
  const url = new URL('/v1/admin/rules', o.edgeUrl).toString();
  return {
    async read() {
      let response: Response;
      try {
        response = await fetchFn(url, { headers: { authorization: `Bearer ${o.secret}` }, signal: AbortSignal.timeout(o.timeoutMs ?? EDGE_RULES_TIMEOUT_MS) });
      } catch (error) {
        throw new EdgeRulesError(`${new URL(url).origin} could not be reached (${error instanceof Error ? error.message : String(error)})`);
      }
      const body: unknown = await response.json().catch(() => undefined);
      if (response.status !== 200) {
        const hint = response.status === 401 || response.status === 403 ? ': EDGE_ADMIN_SECRET must be the edge\'s ADMIN_SECRET' : '';
        throw new EdgeRulesError(`it answered ${response.status}${hint}`);
      }
      return adminRulesOf(body);
    },
  };
}

/** The edge's answer, checked: only what the view promises is passed on. */
export function adminRulesOf(body: unknown): AdminRulesView {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const { version, source, document, error } = b;
  if (typeof version !== 'string') throw new EdgeRulesError('its answer has no version');
  if (source !== 'kv' && source !== 'default') throw new EdgeRulesError('its answer\'s source is neither kv nor default');
  if (typeof document !== 'object' || document === null) throw new EdgeRulesError('its answer has no document');
  return { version, source, document, ...(typeof error === 'string' ? { error } : {}) };
}
