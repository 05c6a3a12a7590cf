/**
 * The page's live feed: server-sent events from /live, the connection shown in the header, and
 * the feed's problems shown above the page. EventSource reconnects by itself; a 401 (the login
 * expired) sends the page to the login.
 */
import { byTestId, h, replace } from './dom.js';

export function follow<T extends { problems?: string[] }>(feed: string, params: Record<string, string>, onPicture: (picture: T) => void): void {
  const status = byTestId('live-status');
  const problems = byTestId('problems');
  const query = new URLSearchParams({ feed, ...params });
  const source = new EventSource(`/live?${query.toString()}`);
  const show = (state: 'connecting' | 'live' | 'lost', text: string) => {
    status.dataset['state'] = state;
    status.textContent = text;
  };
  source.addEventListener('open', () => show('live', 'Live'));
  source.addEventListener('error', () => {
    show(source.readyState === EventSource.CLOSED ? 'lost' : 'connecting', source.readyState === EventSource.CLOSED ? 'Disconnected' : 'Reconnecting…');
    if (source.readyState === EventSource.CLOSED) {
      // A closed stream is most often an expired login: ask the server where to go.
      void fetch('/api/login').then((res) => {
        if (res.status === 401) location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      });
    }
  });
  source.addEventListener('picture', (event) => {
    show('live', 'Live');
    const picture = JSON.parse((event as MessageEvent<string>).data) as T;
    const list = picture.problems ?? [];
    problems.hidden = list.length === 0;
    replace(problems, list.length === 0 ? null : [h('strong', {}, 'Some figures could not be read:'), h('ul', {}, list.map((p) => h('li', {}, p)))]);
    onPicture(picture);
  });
}
