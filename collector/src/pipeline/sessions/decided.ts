/**
 * What the sessions stage keeps of the edge's decisions for a session, in the
 * session's hash next to its fold (field `decided`): the latest decisions,
 * each once by id, and the variants they named.
 */
import type { Decided } from '@sessionflow/core';

/** Decisions kept per session: the latest. */
export const DECISIONS_KEPT = 20;
/** Experiments whose variant a session keeps, at most (a bound: experiments are few). */
export const VARIANTS_KEPT = 50;

export interface SessionDecided {
  /** Oldest first, at most DECISIONS_KEPT, each id once. */
  decisions: Decided[];
  /** Experiment key → the variant the latest decision of it named. */
  variants: Record<string, string>;
}

export const NO_DECISIONS: SessionDecided = Object.freeze({ decisions: [], variants: {} }) as SessionDecided;

/** The field's value, or none kept when absent or not of this shape. */
export function readDecided(value: string | null | undefined): SessionDecided {
  if (typeof value !== 'string') return NO_DECISIONS;
  try {
    const parsed = JSON.parse(value) as Partial<SessionDecided>;
    if (!Array.isArray(parsed.decisions) || typeof parsed.variants !== 'object' || parsed.variants === null) return NO_DECISIONS;
    return { decisions: parsed.decisions, variants: parsed.variants };
  } catch {
    return NO_DECISIONS;
  }
}

/** `kept` with `added` (in the order they were decided), each id once, the latest DECISIONS_KEPT. */
export function withDecisions(kept: SessionDecided, added: readonly Decided[]): SessionDecided {
  const known = new Set(kept.decisions.map((d) => d.id));
  const decisions = [...kept.decisions];
  const variants = { ...kept.variants };
  for (const decision of added) {
    if (known.has(decision.id)) continue;
    known.add(decision.id);
    decisions.push(decision);
    if (decision.experiment !== undefined && decision.variant !== undefined) {
      if (decision.experiment in variants || Object.keys(variants).length < VARIANTS_KEPT) variants[decision.experiment] = decision.variant;
    }
  }
  // In the order they were decided: a late relay does not push a newer decision out.
  decisions.sort((a, b) => a.at - b.at);
  return { decisions: decisions.slice(-DECISIONS_KEPT), variants };
}
