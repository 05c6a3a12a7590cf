/**
 * What a pipeline instance publishes of its degradation level every second, and where: one Redis key per
 * deployment, `<TOPIC_PREFIX>:pipeline:degradation`, a hash with one field per running instance (instances share
 * the partitions, so each reports its own lag, and a reader takes the worst) whose value is the report
 * `{level, reason, lagS, at}` as JSON. Bounded: the key expires `REPORT_TTL_MS` after the latest report, and
 * each publication prunes the fields of instances that stopped reporting that long ago (killed: a stopped
 * instance removes its own). One key, so one slot: it works on a Redis Cluster as on one server.
 */
import { LEVELS, type Level } from '@sessionflow/core';
import * as v from 'valibot';
import { storeScript } from '../store/client.js';

/** How long a report lives in Redis without a newer one (the key's TTL, and when another instance prunes it). */
export const REPORT_TTL_MS = 15_000;
/** A report older than this, after one was seen, means the pipeline went silent. */
export const SILENT_AFTER_MS = 10_000;

export interface PipelineReport {
  level: Level;
  /** The signal that set the level (`lag_s`); null at `full`. */
  reason: string | null;
  /** The worst lag of the instance's stages, in seconds, over the second before `at`. */
  lagS: number;
  /** Epoch ms (the pipeline's clock) when the instance measured this. */
  at: number;
}

export function pipelineReportsKey(prefix: string): string {
  return `${prefix}:pipeline:degradation`;
}

const ReportSchema = v.object({
  level: v.picklist(LEVELS),
  reason: v.nullable(v.string()),
  lagS: v.pipe(v.number(), v.finite(), v.minValue(0)),
  at: v.pipe(v.number(), v.integer()),
});

/** A report as stored, or null for a value no pipeline of this version writes. */
export function parsePipelineReport(raw: string): PipelineReport | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const result = v.safeParse(ReportSchema, json);
  return result.success ? result.output : null;
}

/**
 * KEYS[1] the reports' hash; ARGV: the instance, its report (JSON), now (ms), the TTL (ms). Sets the instance's
 * report, prunes those not renewed within the TTL (an instance killed without removing its own), and renews
 * the key's expiry.
 */
export const PUBLISH_REPORT_SCRIPT = storeScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local ok, report = pcall(cjson.decode, all[i + 1])
  local at = ok and type(report) == 'table' and tonumber(report.at) or nil
  if at == nil or now - at > ttl then redis.call('HDEL', KEYS[1], all[i]) end
end
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`);

/** KEYS[1] the reports' hash; ARGV[1] the instance: its report goes as it stops. */
export const WITHDRAW_REPORT_SCRIPT = storeScript(`return redis.call('HDEL', KEYS[1], ARGV[1])`);
