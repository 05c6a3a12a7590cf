/**
 * The collector's read API as the console server uses it. The read secret (and, for the admin
 * routes, the admin secret) is added here and never reaches a browser. Every answer is either the
 * parsed JSON or an `UpstreamError` that says which route failed and why, in words a page can show.
 */
import type { AdminRules, DegradationView, ExperimentList, ExperimentView, FunnelView, OpenSessions, OpenSessionView, ProfileView, RecsView, RuleFires } from '../shared/contract.js';

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    message: string,
    /** The HTTP status, or 0 when the collector could not be reached. */
    readonly status: number,
    /** The collector's error code (`not_found`, `read_store_unavailable`, …) when it gave one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface CollectorClientOptions {
  baseUrl: string;
  readSecret: string;
  adminSecret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface CollectorClient {
  openSessions(limit: number): Promise<OpenSessions>;
  /** Null when the collector answers 404 (the session is not open, or never was). */
  session(sessionId: string): Promise<OpenSessionView | null>;
  ruleFires(minutes: number): Promise<RuleFires>;
  experiments(): Promise<ExperimentList>;
  experiment(key: string): Promise<ExperimentView>;
  adminRules(): Promise<AdminRules>;
  funnel(minutes: number): Promise<FunnelView>;
  /** Null on 404 (no profile). */
  profile(kind: 'user' | 'device', id: string): Promise<ProfileView | null>;
  recs(kind: 'user' | 'device', id: string, n: number): Promise<RecsView>;
  /** `DELETE /v1/users/:userId`: the collector's answer, as it gave it. */
  eraseUser(userId: string): Promise<unknown>;
  /** `GET /v1/degradation`: the collector's and the pipeline's levels, with why. */
  degradation(): Promise<DegradationView>;
  /** The collector's Prometheus text. */
  metricsText(): Promise<string>;
}

export function collectorClient(opts: CollectorClientOptions): CollectorClient {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const call = async (method: string, path: string, secret: string, allow404 = false): Promise<unknown> => {
    let res: Response;
    try {
      res = await doFetch(`${opts.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${secret}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new UpstreamError(`the collector (${opts.baseUrl}) did not answer ${method} ${routeOf(path)}: ${error instanceof Error ? error.message : String(error)}`, 0);
    }
    const text = await res.text();
    if (allow404 && res.status === 404) return null;
    if (!res.ok) {
      const body = parseJson(text) as { error?: unknown; message?: unknown } | undefined;
      const code = typeof body?.error === 'string' ? body.error : undefined;
      const why = typeof body?.message === 'string' ? body.message : text.slice(0, 200);
      throw new UpstreamError(`${method} ${routeOf(path)} answered ${res.status}${code ? ` ${code}` : ''}: ${why}`, res.status, code);
    }
    const body = parseJson(text);
    if (body === undefined) throw new UpstreamError(`${method} ${routeOf(path)} answered ${res.status} without JSON`, res.status);
    return body;
  };
  const get = (path: string, allow404 = false) => call('GET', path, opts.readSecret, allow404);
  const e = encodeURIComponent;
  return {
    openSessions: async (limit) => (await get(`/v1/sessions/open?limit=${limit}`)) as OpenSessions,
    session: async (id) => (await get(`/v1/sessions/${e(id)}`, true)) as OpenSessionView | null,
    ruleFires: async (minutes) => (await get(`/v1/rules/fires?minutes=${minutes}`)) as RuleFires,
    experiments: async () => (await get('/v1/experiments')) as ExperimentList,
    experiment: async (key) => (await get(`/v1/experiments/${e(key)}`)) as ExperimentView,
    adminRules: async () => (await call('GET', '/v1/admin/rules', opts.adminSecret)) as AdminRules,
    funnel: async (minutes) => (await get(`/v1/rollups/funnel?minutes=${minutes}`)) as FunnelView,
    profile: async (kind, id) => (await get(`/v1/profile/${kind}/${e(id)}`, true)) as ProfileView | null,
    recs: async (kind, id, n) => (await get(`/v1/recs?${kind}=${e(id)}&n=${n}`)) as RecsView,
    eraseUser: (userId) => call('DELETE', `/v1/users/${e(userId)}`, opts.adminSecret),
    degradation: async () => (await get('/v1/degradation')) as DegradationView,
    metricsText: () => scrape(doFetch, `${opts.baseUrl}/metrics`, timeoutMs),
  };
}

/** GET a Prometheus text endpoint. */
export async function scrape(doFetch: typeof fetch, url: string, timeoutMs = 3000): Promise<string> {
  let res: Response;
  try {
    res = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new UpstreamError(`${url} did not answer: ${error instanceof Error ? error.message : String(error)}`, 0);
  }
  const text = await res.text();
  if (!res.ok) throw new UpstreamError(`${url} answered ${res.status}`, res.status);
  return text;
}

/** The path without its query, for messages. */
function routeOf(path: string): string {
  return path.split('?')[0] ?? path;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
