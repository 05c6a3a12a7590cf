/** One followed session: everything the list shows, every decision kept, updating as the visitor clicks. */
import type { SessionFeed } from '../../shared/feeds.js';
import { byTestId, h, replace } from '../dom.js';
import { ago, clock, int, units } from '../format.js';
import { follow } from '../live.js';
import { decisions, signals, variants } from './session-parts.js';

export function sessionPage(): void {
  const sessionId = document.body.dataset['sessionId'] ?? '';
  follow<SessionFeed>('session', { id: sessionId }, (p) => {
    const s = p.session;
    const heading = document.querySelector('h1');
    if (heading) heading.textContent = s ? `Session of ${s.userId ? `user ${s.userId}` : `visitor ${s.anonymousId.slice(0, 12)}`}` : 'Session';
    if (s === null) {
      if (p.problems.length === 0) replace(byTestId('session-detail'), h('p', { class: 'notice', testid: 'session-ended' }, `Session ${p.sessionId} is not open: it ended, or the pipeline has not seen it yet.`));
      return;
    }
    replace(
      byTestId('session-detail'),
      h(
        'div',
        { class: 'grid' },
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'h-about' },
          h('h2', { id: 'h-about' }, 'Visit'),
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Session'),
            h('dd', { class: 'mono' }, s.sessionId),
            h('dt', {}, 'Device id'),
            h('dd', { class: 'mono' }, s.anonymousId),
            h('dt', {}, 'User'),
            h('dd', {}, s.userId ?? 'not signed in'),
            h('dt', {}, 'Started'),
            h('dd', {}, `${clock(s.startedAt)} (${ago(s.startedAt)})`),
            h('dt', {}, 'Last activity'),
            h('dd', {}, ago(s.lastActivityAt)),
            h('dt', {}, 'Source · device'),
            h('dd', {}, `${s.source ?? 'direct'} · ${s.device ?? 'unknown'}`),
            h('dt', {}, 'Pages · events'),
            h('dd', {}, `${int(s.pageViews)} · ${int(s.events)}`),
            h('dt', {}, 'Cart'),
            h('dd', {}, `${units(s.cartUnits)}${s.purchased ? ', purchased' : ''}`),
            h('dt', {}, 'Page'),
            h('dd', { class: 'mono' }, s.lastPageUrl ?? '–'),
          ),
        ),
        h('section', { class: 'panel', 'aria-labelledby': 'h-sig' }, h('h2', { id: 'h-sig' }, 'Signals'), signals(s), h('h3', {}, 'Experiment variants'), variants(s)),
        h('section', { class: 'panel', 'aria-labelledby': 'h-dec' }, h('h2', { id: 'h-dec' }, 'What the edge decided'), decisions(s.decisions)),
      ),
    );
  });
}
