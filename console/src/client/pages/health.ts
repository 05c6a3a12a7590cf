/** Health: each part's degradation level and why, pipeline lag per stage and partition, produce latency, the edge's outbox depth and decide latency. */
import { DEGRADING_PARTS, type DegradingPart, type HealthFeed } from '../../shared/feeds.js';
import { LineChart } from '../charts.js';
import { byTestId, h, replace, table } from '../dom.js';
import { dec, int } from '../format.js';
import { follow } from '../live.js';

/** p50 / p99 in milliseconds, short enough for a tile. */
function pair(p50: number | null, p99: number | null): string {
  const f = (s: number | null) => (s === null ? '–' : s * 1000 < 10 ? (s * 1000).toFixed(1) : String(Math.round(s * 1000)));
  return `${f(p50)} / ${f(p99)} ms`;
}

/** A headline figure; words (not a number) are set smaller so they fit a phone's tile. */
function tile(testid: string, text: string): void {
  const el = byTestId(testid);
  el.textContent = text;
  el.classList.toggle('words', !/\d/.test(text));
}

const PART_NAMES: Record<DegradingPart, string> = { edge: 'Edge (as last reported)', collector: 'Collector', pipeline: 'Pipeline' };

export function healthPage(): void {
  const lag = new LineChart(byTestId('lag-chart'));
  const produce = new LineChart(byTestId('produce-chart'), { unit: ' ms', height: 160, points: true });
  const decide = new LineChart(byTestId('decide-chart'), { unit: ' ms', height: 160, points: true });
  follow<HealthFeed>('health', {}, (p) => {
    tile('produce-latency', p.produce === null ? (p.scrapes.collector === 'ok' ? 'not reported' : '–') : p.produce.count > 0 ? pair(p.produce.p50, p.produce.p99) : 'idle');
    tile('outbox-depth', p.outboxDepth === null ? 'not reported' : dec(p.outboxDepth, Number.isInteger(p.outboxDepth) ? 0 : 1));
    tile('decide-latency', p.decide === null ? 'not reported' : p.decide.count > 0 ? pair(p.decide.p50, p.decide.p99) : 'idle');
    replace(
      byTestId('degradation'),
      table({
        caption: 'The level each part is at, and the signal that set it',
        head: ['Part', 'Level', 'Why'],
        rows: DEGRADING_PARTS.map((part) => {
          const d = p.degradation[part];
          return [PART_NAMES[part], d === null ? h('span', { class: 'muted' }, 'not reported') : h('span', { class: `level level-${d.level}` }, d.level), d?.reason ?? (d === null || d.level === 'full' ? '' : 'not said')];
        }),
        rowAttrs: (i) => ({ testid: 'degradation-row', 'data-part': DEGRADING_PARTS[i], 'data-level': p.degradation[DEGRADING_PARTS[i] as DegradingPart]?.level ?? 'none' }),
      }),
    );
    lag.update(p.lagHistory);
    produce.update(p.produceHistory);
    decide.update(p.decideHistory);
    replace(
      byTestId('lag-table'),
      table({
        caption: p.scrapes.pipeline === 'ok' ? 'Records behind the topic end, per stage and partition' : 'The pipeline’s metrics could not be read',
        head: ['Stage', 'Topic', 'Partition', 'Lag'],
        numeric: [2, 3],
        rows: p.lag.map((r) => [r.stage, r.topic, r.partition, int(r.lag)]),
        rowAttrs: (i) => ({ testid: 'lag-row', 'data-stage': p.lag[i]?.stage, 'data-partition': p.lag[i]?.partition }),
      }),
    );
  });
}
