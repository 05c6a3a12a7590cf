/**
 * When a service may start with the secrets it was given (pure; the collector
 * and the pipeline apply it before they connect to anything).
 *
 * A secret is weak when it is missing, one of the development defaults (they
 * are in this public repository), or shorter than 32 bytes; two scopes sharing
 * one value are weak alike, since one leaked secret would then open both.
 * Weak secrets are refused, naming the variable, unless the service listens on
 * loopback only (nothing but this machine can reach it) or `SESSIONFLOW_DEV=1`
 * says this is a development run; there they are only warned about.
 * A missing secret then gets its development default: the service generates
 * nothing itself (`npm start` generates real ones and passes them).
 */
import { isIP } from 'node:net';

/** 256 bits: what `openssl rand -base64 32` gives, and HMAC-SHA256's block of security. */
export const MIN_SECRET_BYTES = 32;

export const HOW_TO_GENERATE = 'generate one with `openssl rand -base64 32`';

export interface SecretSetting {
  /** The environment variable, e.g. `READ_API_SECRET`. */
  variable: string;
  value: string;
  /** Its development default: a known value, weak by definition. */
  devDefault: string;
}

export interface SecretPolicyInput {
  secrets: readonly SecretSetting[];
  /** Where the service listens, and the variable that says so (for the message). */
  host: string;
  hostVariable: string;
  /** `SESSIONFLOW_DEV=1`. */
  devMode: boolean;
}

export interface SecretVerdict {
  /** Reasons to refuse to start, each naming its variable; empty when the service may start. */
  refusals: string[];
  /** What a development run is told instead. */
  warnings: string[];
}

/** Every weakness of the secrets, one line per variable (or pair of variables sharing a value). */
export function secretWeaknesses(secrets: readonly SecretSetting[]): string[] {
  const weaknesses: string[] = [];
  for (const { variable, value, devDefault } of secrets) {
    if (value === '' || value === devDefault) weaknesses.push(`${variable} is not set (or is the development default ${JSON.stringify(devDefault)})`);
    else if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) weaknesses.push(`${variable} is shorter than ${MIN_SECRET_BYTES} bytes`);
  }
  const byValue = new Map<string, string[]>();
  for (const { variable, value } of secrets) byValue.set(value, [...(byValue.get(value) ?? []), variable]);
  for (const variables of byValue.values()) {
    if (variables.length > 1) weaknesses.push(`${variables.join(' and ')} hold the same value: each scope needs a secret of its own`);
  }
  return weaknesses;
}

export function judgeSecrets(input: SecretPolicyInput): SecretVerdict {
  const weaknesses = secretWeaknesses(input.secrets);
  if (weaknesses.length === 0) return { refusals: [], warnings: [] };
  if (input.devMode || isLoopbackHost(input.host)) {
    const why = input.devMode ? 'SESSIONFLOW_DEV=1' : `${input.hostVariable}=${input.host} is loopback only`;
    return { refusals: [], warnings: weaknesses.map((w) => `${w}: accepted because ${why}; never deploy like this (${HOW_TO_GENERATE})`) };
  }
  const refusals = weaknesses.map((w) => `${w}: ${HOW_TO_GENERATE}`);
  return { refusals, warnings: [] };
}

/** Thrown before start-up when a secret is refused; its message names every variable to set. */
export class SecretRefusedError extends Error {
  constructor(service: string, host: string, refusals: readonly string[]) {
    super(
      `${service} refuses to start on ${host} with weak secrets (listen on loopback only, or set SESSIONFLOW_DEV=1 for a development run):\n` +
        refusals.map((r) => `  - ${r}`).join('\n'),
    );
    this.name = 'SecretRefusedError';
  }
}

/** Throws `SecretRefusedError` when a secret is refused; else the warnings to log. */
export function enforceSecrets(service: string, input: SecretPolicyInput): string[] {
  const verdict = judgeSecrets(input);
  if (verdict.refusals.length > 0) throw new SecretRefusedError(service, input.host, verdict.refusals);
  return verdict.warnings;
}

/**
 * True when only this machine can reach `host`: `localhost`, an IPv4 address
 * in 127.0.0.0/8, or `::1` (also IPv4-mapped). `0.0.0.0`, `::` and any other
 * name or address are not.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.split('.')[0] === '127';
  if (isIP(h) === 6) {
    if (h === '::1' || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1]!.split('.')[0] === '127';
  }
  return false;
}
