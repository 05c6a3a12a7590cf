/** A session's signals, variants and decided actions, as the list and the followed session show them. */
import type { Decided, OpenSessionView } from '../../shared/contract.js';
import { h } from '../dom.js';
import { ago, clock, pct } from '../format.js';

const meter = (label: string, value: number, risky = false) =>
  h(
    'li',
    { class: risky && value >= 0.6 ? 'chip risk-high' : 'chip', 'data-signal': label },
    h('span', { class: 'meter', 'aria-hidden': 'true' }, h('span', { style: `width:${Math.round(Math.max(0, Math.min(1, value)) * 100)}%` })),
    `${label} ${pct(value, 0)}`,
  );

export function signals(s: OpenSessionView): HTMLElement {
  const g = s.signals;
  return h(
    'ul',
    { class: 'chips', testid: 'session-signals', 'aria-label': 'Signals' },
    h('li', { class: 'chip', 'data-signal': 'intent' }, g.intentCategory ? `intent ${g.intentCategory} (${pct(g.intentShare, 0)})` : 'no intent yet'),
    meter('engagement', g.engagement),
    meter('cart abandonment risk', g.cartAbandonmentRisk, true),
    meter('bounce risk', g.bounceRisk, true),
  );
}

export function variants(s: OpenSessionView): HTMLElement {
  const entries = Object.entries(s.variants);
  return h(
    'ul',
    { class: 'chips', testid: 'session-variants', 'aria-label': 'Experiment variants' },
    entries.length === 0 ? h('li', { class: 'muted' }, 'in no experiment') : entries.map(([exp, v]) => h('li', { class: 'chip', 'data-experiment': exp }, `${exp}: ${v}`)),
  );
}

export function decisions(list: readonly Decided[], limit = list.length): HTMLElement {
  const newest = [...list].sort((a, b) => b.at - a.at).slice(0, limit);
  return h(
    'ol',
    { class: 'decisions', testid: 'session-decisions', 'aria-label': 'Actions the edge decided, newest first' },
    newest.length === 0
      ? h('li', { class: 'muted' }, 'No action decided yet.')
      : newest.map((d) =>
          h(
            'li',
            { 'data-decision-id': d.id, testid: 'decision' },
            h('strong', {}, d.kind),
            d.slot ? ` in ${d.slot}` : '',
            ` · rule ${d.ruleId} · action ${d.actionId}`,
            d.experiment ? ` · ${d.experiment}: ${d.variant ?? '?'}` : '',
            h('span', { class: 'muted' }, ` · ${clock(d.at)} (${ago(d.at)})`),
          ),
        ),
  );
}
