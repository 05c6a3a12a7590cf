/**
 * The visitor's consent, by category: `analytics` (events leave the browser
 * and identity is stored on the device) and `personalization` (the edge's
 * actions are applied). The decision is kept in localStorage (`sf_consent`),
 * which consent rules treat as strictly necessary.
 *
 * Three starting points, from the site's settings: `open` (allowed until the
 * visitor says no), `ask` (the site requires consent: nothing is sent or stored
 * until it is given; events wait in memory) and `deny` (the browser sends
 * Global Privacy Control or Do-Not-Track and the site honours them: nothing is
 * captured unless the visitor grants consent explicitly).
 */
import type { KeyValueStore } from '../identity/storage.js';

export type ConsentCategory = 'analytics' | 'personalization';
export type ConsentChoice = Partial<Record<ConsentCategory, boolean>>;
export type ConsentMode = 'open' | 'ask' | 'deny';

export const CONSENT_KEY = 'sf_consent';

export interface Consent {
  allows(category: ConsentCategory): boolean;
  /** Consent is required and the visitor has not answered for analytics yet: capture holds its events. */
  pending(): boolean;
  /** Records the visitor's answer; categories it leaves out keep their earlier answer. */
  decide(choice: ConsentChoice): void;
}

export function consent(store: KeyValueStore, mode: ConsentMode): Consent {
  let choice: ConsentChoice = {};
  try {
    const saved: unknown = JSON.parse(store.get(CONSENT_KEY) ?? '{}');
    if (typeof saved === 'object' && saved !== null) choice = pick(saved as ConsentChoice);
  } catch {
    // Unreadable: as if the visitor had not answered.
  }
  return {
    allows: (category) => choice[category] ?? mode === 'open',
    pending: () => mode === 'ask' && choice.analytics === undefined,
    decide(next) {
      choice = { ...choice, ...pick(next) };
      store.set(CONSENT_KEY, JSON.stringify(choice));
    },
  };
}

/** Only the known categories, and only booleans: the choice comes from site code and from storage. */
function pick(choice: ConsentChoice): ConsentChoice {
  const known: ConsentChoice = {};
  for (const category of ['analytics', 'personalization'] as const) {
    if (typeof choice?.[category] === 'boolean') known[category] = choice[category];
  }
  return known;
}
