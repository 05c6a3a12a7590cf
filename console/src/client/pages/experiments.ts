/**
 * Experiments: per experiment, its variants with exposures, conversions and rates with intervals,
 * the lift with its always-valid interval over time (narrowing as units come in), and the
 * sample-ratio-mismatch alarm at the top of the experiment when the split is broken.
 */
import type { ExperimentView } from '../../shared/contract.js';
import type { ExperimentsFeed, LiftPoint, Series } from '../../shared/feeds.js';
import { LineChart, PALETTE } from '../charts.js';
import { byTestId, h, replace, table } from '../dom.js';
import { int, pct, signedPct } from '../format.js';
import { follow } from '../live.js';

export function experimentsPage(): void {
  const charts = new Map<string, LineChart>();
  const list = byTestId('experiment-list');
  follow<ExperimentsFeed>('experiments', {}, (p) => {
    if (p.experiments.length === 0) {
      replace(list, h('p', { class: 'notice' }, 'No experiment is configured on the collector (EXPERIMENTS).'));
      charts.clear();
      return;
    }
    // Sections are kept between pictures so their charts are fed, not rebuilt.
    const keep = new Set(p.experiments.map((e) => e.key));
    for (const section of [...list.children]) if (!(section instanceof HTMLElement) || !keep.has(section.dataset['key'] ?? '')) section.remove();
    for (const key of charts.keys()) if (!keep.has(key)) charts.delete(key);
    for (const e of p.experiments) {
      let section = list.querySelector<HTMLElement>(`section[data-key="${CSS.escape(e.key)}"]`);
      if (section === null) {
        section = h(
          'section',
          { class: 'panel mt', testid: `experiment-${e.key}`, 'data-key': e.key, 'aria-labelledby': `h-exp-${e.key}` },
          h('h2', { id: `h-exp-${e.key}` }, e.key),
          h('div', { class: 'srm-slot' }),
          h('p', { class: 'muted summary' }),
          h('div', { class: 'scroll variants', role: 'region', tabindex: '0', 'aria-label': `Variants of ${e.key}` }),
          h('h3', {}, 'Lift over time (always-valid 95% interval)'),
          h('div', { class: 'chart', testid: 'lift-chart', role: 'img', 'aria-label': `Lift of ${e.key} over time with its always-valid interval` }),
          h('p', { class: 'lift-summary', testid: 'lift-summary' }),
          h('p', { class: 'chart-note' }, `Absolute lift against the control in percentage points; the shaded band is the interval that stays valid however often you look. Sampled every ${p.sampleEveryMs >= 1000 ? `${Math.round(p.sampleEveryMs / 1000)} s` : `${p.sampleEveryMs} ms`}, the last ${p.historyLimit} samples kept in the console's memory.`),
        );
        list.append(section);
        charts.set(e.key, new LineChart(section.querySelector<HTMLElement>('[data-testid="lift-chart"]') as HTMLElement, liftChartOptions(e.variants, e.readout)));
      }
      for (const old of list.querySelectorAll(':scope > p')) old.remove();
      renderExperiment(section, e.readout);
      charts.get(e.key)?.update(liftSeries(e.history));
      replace(section.querySelector('.lift-summary') as HTMLElement, liftSummary(e.history));
    }
  });
}

function renderExperiment(section: HTMLElement, r: ExperimentView | null): void {
  const srm = section.querySelector('.srm-slot') as HTMLElement;
  const summary = section.querySelector('.summary') as HTMLElement;
  const variants = section.querySelector('.variants') as HTMLElement;
  if (r === null) {
    replace(summary, 'The readout could not be read.');
    return;
  }
  const units = r.variants.reduce((s, v) => s + v.exposedUnits, 0);
  const holdout = r.holdout ? ` · holdout: ${int(r.holdout.exposedUnits)} units, ${int(r.holdout.conversions)} converted` : '';
  replace(summary, `${r.status} · version ${r.version} · compared with ${r.control} · ${int(units)} units exposed · conversion: ${describe(r)}${holdout}`);
  replace(
    srm,
    r.sampleRatio?.mismatch
      ? h(
          'div',
          { class: 'alarm', role: 'alert', testid: 'srm-alarm' },
          `Sample ratio mismatch: the units are not split as the weights say (χ² ${r.sampleRatio.chiSquare.toFixed(1)}, p = ${r.sampleRatio.pValue.toExponential(1)}). Do not trust this experiment's lift until the cause is found.`,
        )
      : null,
  );
  replace(
    variants,
    table({
      caption: `Variants (rates with ${Math.round(r.confidence * 100)}% Wilson intervals; lift against ${r.control})`,
      head: ['Variant', 'Weight', 'Exposures', 'Units', 'Conversions', 'Rate', 'Rate interval', 'Lift', 'Always-valid interval'],
      numeric: [1, 2, 3, 4, 5, 6, 7, 8],
      rows: r.variants.map((v) => [
        v.control && !/control/i.test(v.name) ? `${v.name} (control)` : v.name,
        String(v.weight),
        int(v.exposures),
        int(v.exposedUnits),
        int(v.conversions),
        pct(v.conversionRate),
        v.conversionRateInterval ? `${pct(v.conversionRateInterval.lower)} – ${pct(v.conversionRateInterval.upper)}` : '–',
        v.lift ? signedPct(v.lift.absolute) : '',
        v.lift?.sequentialInterval ? `${signedPct(v.lift.sequentialInterval.lower)} … ${signedPct(v.lift.sequentialInterval.upper)}` : '',
      ]),
      rowAttrs: (i) => ({ testid: 'variant-row', 'data-variant': r.variants[i]?.name }),
    }),
  );
}

function describe(r: ExperimentView): string {
  if (r.conversion === undefined) return 'the configured event';
  return r.conversion.name === undefined ? `a ${r.conversion.type} event` : `${r.conversion.type} "${r.conversion.name}"`;
}

function liftChartOptions(variantNames: string[], readout: ExperimentView | null) {
  const control = readout?.control;
  const treated = variantNames.filter((v) => v !== control);
  return {
    unit: ' pp',
    bands: treated.map((v, i) => ({ upper: `${v} upper`, lower: `${v} lower`, color: `${PALETTE[i % PALETTE.length]}22` })),
    style: (name: string) => {
      const base = treated.findIndex((v) => name.startsWith(`${v} `) || name === v);
      const color = PALETTE[Math.max(0, base) % PALETTE.length];
      return name.endsWith(' upper') || name.endsWith(' lower') ? { stroke: color, dash: [4, 4], width: 1 } : { stroke: color, width: 2 };
    },
  };
}

/** The chart in words: each treatment's interval now, and how wide it was at the first sample kept. */
function liftSummary(points: readonly LiftPoint[]): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return 'No sample yet.';
  const width = (v: { lower: number | null; upper: number | null } | undefined) => (v?.lower == null || v.upper == null ? null : v.upper - v.lower);
  return Object.entries(last.variants)
    .map(([name, v]) => {
      const now = width(v);
      const then = width(first.variants[name]);
      if (now === null) return `${name}: no interval yet`;
      return `${name}: ${signedPct(v.absolute)}, interval ${signedPct(v.lower)} … ${signedPct(v.upper)} (${(now * 100).toFixed(1)} pp wide${then !== null && points.length > 1 ? `; ${(then * 100).toFixed(1)} pp at the first of ${points.length} samples` : ''})`;
    })
    .join(' · ');
}

/** Lift points → one line for the lift and one for each bound per treatment variant, in percentage points. */
export function liftSeries(points: readonly LiftPoint[]): Series {
  const names = [...new Set(points.flatMap((p) => Object.keys(p.variants)))];
  const lines: Series['lines'] = {};
  const pp = (v: number | null | undefined) => (v === null || v === undefined ? null : v * 100);
  for (const name of names) {
    lines[`${name} lift`] = points.map((p) => pp(p.variants[name]?.absolute));
    lines[`${name} upper`] = points.map((p) => pp(p.variants[name]?.upper));
    lines[`${name} lower`] = points.map((p) => pp(p.variants[name]?.lower));
  }
  return { t: points.map((p) => p.at / 1000), lines };
}
