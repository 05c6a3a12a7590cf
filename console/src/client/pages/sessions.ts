/** Live sessions: the open sessions, most recently active first, each with its signals, variants and latest decisions. */
import type { SessionsFeed } from '../../shared/feeds.js';
import { byTestId, h, replace } from '../dom.js';
import { ago, int, units } from '../format.js';
import { follow } from '../live.js';
import { decisions, signals, variants } from './session-parts.js';

export function sessionsPage(): void {
  follow<SessionsFeed>('sessions', {}, (p) => {
    byTestId('sessions-count').textContent =
      p.open === null ? 'Open sessions could not be read.' : `${int(p.open)} open sessions, ${int(p.visitors)} visitors${p.sessions.length < p.open ? ` · the ${p.sessions.length} most recently active shown` : ''}.`;
    replace(
      byTestId('session-list'),
      p.sessions.length === 0
        ? h('li', { class: 'panel muted' }, 'No open session right now. Visit the storefront to start one.')
        : p.sessions.map((s) =>
            h(
              'li',
              { class: 'panel session-row', testid: 'session-row', 'data-session-id': s.sessionId, 'data-anonymous-id': s.anonymousId, 'data-purchased': String(s.purchased) },
              h(
                'div',
                { class: 'who' },
                h('a', { href: `/sessions/${encodeURIComponent(s.sessionId)}`, 'data-key': `follow:${s.sessionId}`, title: 'Follow this session' }, s.userId ? `User ${s.userId}` : `Visitor ${s.anonymousId.slice(0, 12)}`),
                h(
                  'dl',
                  {},
                  h('dt', {}, 'Active'),
                  h('dd', {}, ago(s.lastActivityAt)),
                  h('dt', {}, 'Pages · events'),
                  h('dd', {}, `${int(s.pageViews)} · ${int(s.events)}`),
                  h('dt', {}, 'Source · device'),
                  h('dd', {}, `${s.source ?? 'direct'} · ${s.device ?? 'unknown'}`),
                  h('dt', {}, 'Cart'),
                  h('dd', {}, `${units(s.cartUnits)}${s.purchased ? ', purchased' : ''}`),
                  s.lastPageUrl ? [h('dt', {}, 'Page'), h('dd', { class: 'mono' }, s.lastPageUrl)] : null,
                ),
              ),
              h('div', {}, signals(s), h('div', { class: 'mt' }, variants(s)), h('h3', {}, 'Latest decisions'), decisions(s.decisions, 3)),
            ),
          ),
    );
  });
}
