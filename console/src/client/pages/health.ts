/** Health: pipeline lag per stage and partition, produce latency, the edge's outbox depth and decide latency, the degradation level. */
import type { HealthFeed } from '../../shared/feeds.js';
import { LineChart } from '../charts.js';
import { byTestId, replace, table } from '../dom.js';
import { dec, int, ms } from '../format.js';
import { follow } from '../live.js';

export function healthPage(): void {
  const lag = new LineChart(byTestId('lag-chart'));
  const produce = new LineChart(byTestId('produce-chart'), { unit: ' ms', height: 160 });
  const decide = new LineChart(byTestId('decide-chart'), { unit: ' ms', height: 160 });
  follow<HealthFeed>('health', {}, (p) => {
    byTestId('produce-latency').textContent = p.produce && p.produce.count > 0 ? `${ms(p.produce.p50)} / ${ms(p.produce.p99)}` : p.scrapes.collector === 'ok' ? 'idle' : '–';
    byTestId('outbox-depth').textContent = p.outboxDepth === null ? 'not reported' : dec(p.outboxDepth, Number.isInteger(p.outboxDepth) ? 0 : 1);
    byTestId('decide-latency').textContent = p.decide && p.decide.count > 0 ? `${ms(p.decide.p50)} / ${ms(p.decide.p99)}` : 'not reported';
    byTestId('degradation').textContent = p.degradation ?? 'full (none reported)';
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
