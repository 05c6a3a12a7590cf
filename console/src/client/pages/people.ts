/**
 * People: look a user or a device up (profile, devices, sessions, affinities, the recommendations
 * it would get now) and erase a user after a confirmation dialog. Read on demand, not live.
 */
import type { ProfileView, RecsView } from '../../shared/contract.js';
import { byTestId, h, replace, table } from '../dom.js';
import { dec, int } from '../format.js';

interface PersonAnswer {
  kind: 'user' | 'device';
  id: string;
  profile: ProfileView | null;
  recs: RecsView | null;
  problems: string[];
}

export function peoplePage(): void {
  const status = byTestId('live-status');
  status.dataset['state'] = 'live';
  status.textContent = 'On demand';
  const kind = document.body.dataset['kind'] === 'device' ? 'device' : 'user';
  const id = document.body.dataset['id'] ?? '';
  if (id !== '') void lookUp(kind, id);
}

async function lookUp(kind: 'user' | 'device', id: string): Promise<void> {
  const out = byTestId('person');
  replace(out, h('p', { class: 'muted' }, 'Looking up…'));
  const res = await fetch(`/api/people/${kind}/${encodeURIComponent(id)}`);
  const body = (await res.json()) as PersonAnswer | { message: string };
  if (!res.ok || !('profile' in body)) {
    replace(out, h('p', { class: 'error', role: 'alert' }, 'message' in body ? body.message : `The lookup failed (${res.status}).`));
    return;
  }
  const problems = byTestId('problems');
  problems.hidden = body.problems.length === 0;
  replace(problems, body.problems.length === 0 ? null : [h('strong', {}, 'Some figures could not be read:'), h('ul', {}, body.problems.map((p) => h('li', {}, p)))]);
  const p = body.profile;
  const affinities = p ? Object.entries(p.affinities).sort((a, b) => b[1] - a[1]) : [];
  replace(
    out,
    p === null
      ? h('p', { class: 'notice mt', testid: 'people-not-found' }, `No profile for ${kind} ${id}.`)
      : h(
          'div',
          { class: 'grid mt', testid: 'profile', 'data-kind': kind, 'data-id': id },
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'h-prof' },
            h('h2', { id: 'h-prof' }, kind === 'user' ? `User ${p.id}` : `Device ${p.id}`),
            h(
              'dl',
              { class: 'facts' },
              h('dt', {}, 'User'),
              h('dd', {}, p.userId ?? (kind === 'user' ? p.id : 'not linked')),
              h('dt', {}, 'Sessions'),
              h('dd', { testid: 'profile-sessions' }, int(p.sessions)),
              h('dt', {}, 'Updated'),
              h('dd', {}, new Date(p.updatedAt).toLocaleString('en-GB')),
              h('dt', {}, 'Recently viewed'),
              h('dd', {}, p.recentlyViewed.slice(0, 10).join(', ') || '–'),
              h('dt', {}, 'Purchased'),
              h('dd', {}, p.purchased.join(', ') || '–'),
            ),
            h('h3', {}, 'Devices'),
            h('ul', { testid: 'profile-devices', class: 'chips' }, p.anonymousIds.map((a) => h('li', { class: 'chip mono' }, h('a', { href: `/people?kind=device&id=${encodeURIComponent(a)}` }, a)))),
            kind === 'user'
              ? h('p', { class: 'mt' }, h('button', { type: 'button', class: 'danger', testid: 'erase-button', 'data-user-id': p.id }, `Erase user ${p.id}…`))
              : null,
            h('p', { testid: 'erase-result', role: 'status' }),
          ),
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'h-aff' },
            h('h2', { id: 'h-aff' }, 'Affinities'),
            h('div', { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': 'Affinities, table', testid: 'profile-affinities' }, table({ caption: 'Decayed affinity per category, strongest first', head: ['Category', 'Affinity'], numeric: [1], rows: affinities.map(([c, v]) => [c, dec(v, 2)]) })),
          ),
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'h-recs' },
            h('h2', { id: 'h-recs' }, 'Recommendations now'),
            body.recs === null
              ? h('p', { class: 'muted' }, 'Could not be read.')
              : h(
                  'div',
                  { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': 'Recommendations, table', testid: 'profile-recs' },
                  table({ caption: `From ${body.recs.source === 'session' ? 'the profile and co-occurrence' : 'popularity (the fallback)'}`, head: ['Product', 'Category', 'Score'], numeric: [2], rows: body.recs.items.map((i) => [i.name, i.category ?? '', dec(i.score, 3)]) }),
                ),
          ),
        ),
  );
  const erase = out.querySelector<HTMLButtonElement>('[data-testid="erase-button"]');
  if (erase) erase.addEventListener('click', () => confirmErase(erase.dataset['userId'] ?? ''));
}

function confirmErase(userId: string): void {
  const dialog = byTestId<HTMLDialogElement>('erase-dialog');
  byTestId('erase-who').textContent = `user ${userId}`;
  dialog.returnValue = '';
  dialog.addEventListener(
    'close',
    () => {
      if (dialog.returnValue === 'erase') void erase(userId);
      else document.querySelector<HTMLButtonElement>('[data-testid="erase-button"]')?.focus();
    },
    { once: true },
  );
  dialog.showModal();
}

async function erase(userId: string): Promise<void> {
  const result = byTestId('erase-result');
  result.textContent = 'Erasing…';
  const res = await fetch(`/api/people/user/${encodeURIComponent(userId)}/erase`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = (await res.json()) as { message?: string };
  result.className = res.ok ? 'good' : 'error';
  result.textContent = res.ok ? `User ${userId} was erased. Look them up again to see every read come back empty.` : `Erasing failed: ${body.message ?? res.status}`;
  result.focus();
}
