/** Rules: the document in force with its version and source, fires per rule over 15 minutes, and the error of a refused document. */
import type { RulesFeed, Series } from '../../shared/feeds.js';
import { LineChart } from '../charts.js';
import { byTestId, h, replace, table } from '../dom.js';
import { int } from '../format.js';
import { follow } from '../live.js';

export function rulesPage(): void {
  const chart = new LineChart(byTestId('rule-fires-chart'));
  follow<RulesFeed>('rules', {}, (p) => {
    if (p.rules !== null) {
      byTestId('rules-version').textContent = p.rules.version;
      byTestId('rules-source').textContent = p.rules.source === 'kv' ? 'stored document (KV)' : 'built-in default';
      byTestId('rules-document').textContent = JSON.stringify(p.rules.document, null, 2);
      replace(
        byTestId('rules-error-slot'),
        p.rules.error
          ? h('div', { class: 'alarm', role: 'alert', testid: 'rules-error' }, h('div', {}, 'The newest stored rules document is refused; the edge keeps deciding with the one below.'), h('div', { class: 'mono' }, p.rules.error))
          : null,
      );
    }
    if (p.fires !== null) {
      const fires = p.fires;
      const minutes = [...new Set(fires.rules.flatMap((r) => r.perMinute.map((m) => m.minute)))].sort();
      const series: Series = { t: minutes.map((m) => Date.parse(m) / 1000), lines: {} };
      for (const r of fires.rules) {
        const by = new Map(r.perMinute.map((m) => [m.minute, m.fired]));
        series.lines[r.ruleId] = minutes.map((m) => by.get(m) ?? 0);
      }
      chart.update(series);
      const rows = [...fires.rules].sort((a, b) => b.fired - a.fired);
      replace(
        byTestId('rule-fires'),
        table({
          caption: `Fires per rule from ${new Date(fires.from).toLocaleTimeString('en-GB')} to ${new Date(fires.to).toLocaleTimeString('en-GB')}`,
          head: ['Rule', 'Fired'],
          numeric: [1],
          rows: rows.map((r) => [r.ruleId, int(r.fired)]),
          rowAttrs: (i) => ({ testid: 'rule-fires-row', 'data-rule-id': rows[i]?.ruleId }),
        }),
      );
    }
  });
}
