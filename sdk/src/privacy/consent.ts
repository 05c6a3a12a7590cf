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
  const choice: ConsentChoice = {};
  // Only the known categories, and only booleans: the answer comes from site code and from storage.
  const merge = (answer: ConsentChoice | undefined) =>
    (['analytics', 'personalization'] as const).forEach((category) => {
      if (typeof answer?.[category] === 'boolean') choice[category] = answer[category];
    });
  try {
    merge(JSON.parse(store.get(CONSENT_KEY) ?? '{}') as ConsentChoice);
  } catch {
    // Unreadable: as if the visitor had not answered.
  }
  return {
    allows: (category) => choice[category] ?? mode === 'open',
    pending: () => mode === 'ask' && choice.analytics === undefined,
    decide(answer) {
      merge(answer);
      store.set(CONSENT_KEY, JSON.stringify(choice));
    },
  };
}
