/**
 * A child process that serves HTTP on loopback: started, ready once a GET on
 * `readyPath` answers 2xx, and stopped again if it never gets there. The
 * collector, the edge and the demo-site differ only in what they run.
 */
import { startChild, waitUntil, type Child, type ChildOptions } from '../process/child.js';

export interface HttpServiceOptions extends ChildOptions {
  port: number;
  readyPath: string;
  readyTimeoutMs: number;
  /** How long SIGTERM gets before SIGKILL. */
  stopGraceMs: number;
}

export interface HttpService {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

/** True when GET `url` answers 2xx within `timeoutMs`. */
export async function answers2xx(url: string, timeoutMs = 2000): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return res.ok;
}

export async function startHttpService(opts: HttpServiceOptions): Promise<HttpService> {
  const child = startChild(opts);
  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await waitUntil(opts.name, () => answers2xx(`${url}${opts.readyPath}`), { timeoutMs: opts.readyTimeoutMs, intervalMs: 250, child });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { url, child, stop: () => child.stop(opts.stopGraceMs) };
}
