/**
 * A part's degradation policy from its environment variable (`COLLECTOR_DEGRADE_POLICY`,
 * `PIPELINE_DEGRADE_POLICY`): JSON that core's `parseDegradePolicy` validates, refused at start-up with the
 * variable and the path of the first error. A trigger on a signal the part does not measure would never fire,
 * so it is refused too, naming the signals the part has.
 */
import { parseDegradePolicy, type DegradePolicy } from '@sessionflow/core';

export function readDegradePolicy(env: Record<string, string | undefined>, variable: string, fallback: DegradePolicy, signals: readonly string[]): DegradePolicy {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`${variable} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = parseDegradePolicy(json);
  if (!parsed.ok) {
    const first = parsed.errors[0];
    throw new Error(`${variable}: ${first ? `${first.field}: ${first.reason}` : 'is not a degradation policy'}`);
  }
  const unknown = parsed.value.triggers.findIndex((t) => !signals.includes(t.signal));
  if (unknown >= 0) {
    const signal = parsed.value.triggers[unknown]?.signal;
    throw new Error(`${variable}: triggers.${unknown}.signal: "${signal}" is not measured here; the signals are ${signals.join(', ')}`);
  }
  return parsed.value;
}
