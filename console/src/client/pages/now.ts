/** Now: events per second by type, open sessions and visitors, the funnel per minute with its conversion, by source and device. */
import type { FunnelView } from '../../shared/contract.js';
import type { NowFeed, Series } from '../../shared/feeds.js';
import { LineChart } from '../charts.js';
import { byTestId, replace, table } from '../dom.js';
import { dec, int, pct } from '../format.js';
import { follow } from '../live.js';

export function nowPage(): void {
  const eventsChart = new LineChart(byTestId('events-chart'), { unit: '/s' });
  const funnelChart = new LineChart(byTestId('funnel-chart'));
  follow<NowFeed>('now', {}, (p) => {
    byTestId('stat-open-sessions').textContent = int(p.open);
    byTestId('stat-visitors').textContent = int(p.visitors);
    const total = Object.values(p.eventsPerSecond).reduce((a, b) => a + b, 0);
    byTestId('stat-events-per-second').textContent = dec(total);
    eventsChart.update(p.eventsPerSecondHistory);
    const types = Object.entries(p.eventsPerSecond).sort((a, b) => b[1] - a[1]);
    replace(byTestId('events-by-type'), table({ caption: 'Accepted events per second, last scrape', head: ['Event type', 'Events / s'], numeric: [1], rows: types.map(([t, r]) => [t, dec(r, 2)]), rowAttrs: (i) => ({ 'data-type': types[i]?.[0] }) }));
    renderFunnel(p.funnel, funnelChart);
  });
}

function renderFunnel(funnel: FunnelView | null, chart: LineChart): void {
  if (funnel === null) return;
  const series: Series = { t: funnel.buckets.map((b) => Date.parse(b.minute) / 1000), lines: {} };
  for (const step of funnel.steps) series.lines[step] = funnel.buckets.map((b) => b.total.steps[step]?.visitors ?? 0);
  chart.update(series);
  replace(
    byTestId('funnel-table'),
    table({
      caption: `Last ${funnel.minutes || 15} minutes: visitors per step (distinct over the window), and step-to-step conversion`,
      head: ['Step', 'Visitors', 'Events', 'Conversion from previous'],
      numeric: [1, 2, 3],
      rows: funnel.steps.map((step, i) => [step, int(funnel.total.steps[step]?.visitors), int(funnel.total.steps[step]?.events), i === 0 ? '' : pct(funnel.total.conversion[i - 1]?.rate)]),
      rowAttrs: (i) => ({ 'data-step': funnel.steps[i] }),
    }),
  );
  // Segments: per-minute figures summed over the window (a visitor active in two minutes counts twice).
  const segments = new Map<string, { source: string; device: string; visitors: Record<string, number> }>();
  for (const bucket of funnel.buckets) {
    for (const s of bucket.segments) {
      const key = `${s.source}|${s.device}`;
      const acc = segments.get(key) ?? { source: s.source, device: s.device, visitors: {} };
      for (const step of funnel.steps) acc.visitors[step] = (acc.visitors[step] ?? 0) + (s.steps[step]?.visitors ?? 0);
      segments.set(key, acc);
    }
  }
  const rows = [...segments.values()].sort((a, b) => (b.visitors[funnel.steps[0] ?? ''] ?? 0) - (a.visitors[funnel.steps[0] ?? ''] ?? 0));
  const last = funnel.steps[funnel.steps.length - 1] ?? '';
  const first = funnel.steps[0] ?? '';
  replace(
    byTestId('funnel-segments'),
    table({
      caption: 'Visitors per step by traffic source and device, per-minute counts summed over the window',
      head: ['Source', 'Device', ...funnel.steps, `${first} → ${last}`],
      numeric: funnel.steps.map((_, i) => i + 2).concat(funnel.steps.length + 2),
      rows: rows.map((r) => [r.source, r.device, ...funnel.steps.map((s) => int(r.visitors[s])), pct(rate(r.visitors[last], r.visitors[first]))]),
    }),
  );
}

const rate = (part: number | undefined, whole: number | undefined): number | null => (whole ? (part ?? 0) / whole : null);
