/**
 * Time-series charts with uPlot: one per region, re-created only when its set of lines changes,
 * otherwise fed new data; sized to its container (a phone's width too).
 */
import uPlot from 'uplot';
import type { Series } from '../shared/feeds.js';

export const PALETTE = ['#2f5bd3', '#1f7a4d', '#b45309', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#9d174d'];

export interface ChartOptions {
  /** Unit shown on the y axis. */
  unit?: string;
  height?: number;
  /** Pairs of line names to shade between (an interval's lower and upper bound). */
  bands?: { upper: string; lower: string; color: string }[];
  /** Style per line name; default a solid line of the next palette colour. */
  style?: (name: string, index: number) => { stroke?: string; dash?: number[]; width?: number; label?: string };
  /** Marks every point: for series with gaps (latency of quiet seconds), where a lone value has no line. */
  points?: boolean;
  /** x is a count, not a time. */
  xIsCount?: boolean;
}

export class LineChart {
  private plot: uPlot | undefined;
  private names = '';

  constructor(
    private readonly el: HTMLElement,
    private readonly opts: ChartOptions = {},
  ) {
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: this.height() })).observe(el);
  }

  update(series: Series): void {
    const names = Object.keys(series.lines);
    const data = [series.t, ...names.map((n) => series.lines[n] ?? [])] as uPlot.AlignedData;
    if (this.plot !== undefined && this.names === names.join('\u0000')) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.names = names.join('\u0000');
    const style: NonNullable<ChartOptions['style']> = this.opts.style ?? (() => ({}));
    const unit = this.opts.unit ?? '';
    this.plot = new uPlot(
      {
        width: this.width(),
        height: this.height(),
        scales: { x: { time: !this.opts.xIsCount } },
        axes: [
          { stroke: '#566173', grid: { stroke: '#eef1f5' } },
          { stroke: '#566173', grid: { stroke: '#eef1f5' }, size: 64, values: (_u, ticks) => ticks.map((v) => `${fmt(v)}${unit}`) },
        ],
        series: [
          {},
          ...names.map((name, i) => {
            const s = style(name, i);
            return { label: s.label ?? name, stroke: s.stroke ?? PALETTE[i % PALETTE.length], width: s.width ?? 2, dash: s.dash, spanGaps: false, ...(this.opts.points ? { points: { show: true, size: 5 } } : {}), value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${fmt(v)}${unit}`) };
          }),
        ],
        bands: (this.opts.bands ?? [])
          .map((b) => ({ series: [names.indexOf(b.upper) + 1, names.indexOf(b.lower) + 1] as [number, number], fill: b.color }))
          .filter((b) => b.series[0] > 0 && b.series[1] > 0),
        // A static legend, the names only: a live one adds a row of "--" until the pointer is on the chart.
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      this.el,
    );
  }

  private width(): number {
    return Math.max(240, Math.floor(this.el.clientWidth || this.el.parentElement?.clientWidth || 320));
  }

  private height(): number {
    return this.opts.height ?? 220;
  }
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return `${(v / 1000).toFixed(1)}k`;
  if (a >= 10) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  return v.toPrecision(2);
}
