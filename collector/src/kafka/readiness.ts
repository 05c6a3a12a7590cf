/**
 * "Is Kafka reachable now?", asked of the cluster at most once per `maxAgeMs`
 * however often `/readyz` is polled, and never waiting longer than `timeoutMs`.
 */
export interface Readiness {
  ready: boolean;
  /** Why not, when not ready. */
  reason?: string;
  checkedAt: number;
}

export interface ReadinessProbe {
  /** A fresh-enough answer, asking the cluster if the cached one is stale. */
  check(): Promise<Readiness>;
  /** The last answer without waiting (undefined before the first); refreshes it in the background when stale. */
  lastKnown(): Readiness | undefined;
}

export interface ProbeOptions {
  maxAgeMs: number;
  timeoutMs: number;
  now?: () => number;
}

/** Wraps `ping` (resolves when reachable, throws otherwise) with a cache, a timeout and single flight. */
export function cachedProbe(ping: () => Promise<void>, options: ProbeOptions): ReadinessProbe {
  const now = options.now ?? Date.now;
  let last: Readiness | undefined;
  let running: Promise<Readiness> | undefined;

  const fresh = () => last !== undefined && now() - last.checkedAt < options.maxAgeMs;

  const run = (): Promise<Readiness> => {
    running ??= withTimeout(ping(), options.timeoutMs)
      .then(
        (): Readiness => ({ ready: true, checkedAt: now() }),
        (error: unknown): Readiness => ({ ready: false, reason: describe(error), checkedAt: now() }),
      )
      .then((result) => {
        last = result;
        running = undefined;
        return result;
      });
    return running;
  };

  return {
    check: () => (fresh() && last ? Promise.resolve(last) : run()),
    lastKnown: () => {
      if (!fresh()) void run();
      return last;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
