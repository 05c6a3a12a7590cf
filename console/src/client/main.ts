/** The console's one client script: runs the current page's module (body[data-page]). */
import { experimentsPage } from './pages/experiments.js';
import { healthPage } from './pages/health.js';
import { nowPage } from './pages/now.js';
import { peoplePage } from './pages/people.js';
import { rulesPage } from './pages/rules.js';
import { sessionPage } from './pages/session.js';
import { sessionsPage } from './pages/sessions.js';

const pages: Record<string, () => void> = {
  now: nowPage,
  sessions: sessionsPage,
  session: sessionPage,
  experiments: experimentsPage,
  rules: rulesPage,
  health: healthPage,
  people: peoplePage,
};

pages[document.body.dataset['page'] ?? '']?.();
