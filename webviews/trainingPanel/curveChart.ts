// One uPlot chart of curves against steps (or epochs), with the run's stages as shaded, labelled bands.
// uPlot takes its colours at creation, so a theme change or the log-x toggle builds the chart anew.
import uPlot from 'uplot';
import { h } from '../shared/dom';
import { formatNumber, formatTick } from '../shared/format';
import type { ThemeColours } from '../shared/theme';

export interface CurveSpec {
  label: string;
  stroke: string;
  width?: number;
  /** Draw the points (sparse series such as validation loss, one per epoch). */
  points?: boolean;
  dash?: number[];
  /** Left out of the legend and the hover readout (the faint raw series under a smoothed one). */
  quiet?: boolean;
}

export interface StageBand {
  /** Where the stage begins, in the chart's x unit. */
  start: number;
  label: string;
}

export interface CurveChartOptions {
  title: string;
  /** What x counts: "step", "epoch", "words". */
  xLabel: string;
  yLabel: string;
  height: number;
  logX: boolean;
  theme: ThemeColours;
  curves: CurveSpec[];
  /** The stages, read at each draw. */
  bands?: () => StageBand[];
  /** How values read on the y axis and in the legend (ticks: compact numbers). */
  formatY?: (value: number) => string;
  /** Room left and right of the data, in x units (half an epoch keeps the first and last points clear of the edges). */
  padX?: number;
}

/** Minimum room between ticks, in CSS pixels: labels such as "1.1M" never run together. */
const X_TICK_SPACE = 64;
const Y_TICK_SPACE = 32;
/** Steps, words and epochs are whole: ticks at 1, 2, 5, 10, 20, 50, … */
const WHOLE_INCREMENTS = Array.from({ length: 13 }, (_, power) => [1, 2, 5].map((m) => m * 10 ** power)).flat();

export class CurveChart {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly bandLayer: HTMLElement;
  private readonly resizeObserver: ResizeObserver;
  private lastLength = 0;

  constructor(parent: HTMLElement, readonly options: CurveChartOptions) {
    this.element = h('figure', { class: 'chart', 'data-points': 0, 'data-series': options.curves.length });
    this.element.append(h('figcaption', {}, options.title));
    parent.append(this.element);
    const { theme } = options;
    const formatY = options.formatY ?? ((value: number) => formatNumber(value, 4));
    const axis = (label: string, space: number): uPlot.Axis => ({
      stroke: theme.muted,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1 },
      font: theme.font,
      labelFont: theme.font,
      label,
      space,
      values: (_plot, splits) => splits.map((value) => (value === null || value === undefined ? '' : formatTick(value))),
    });
    const readout = (format: (value: number) => string) => (_plot: uPlot, value: number | null) => (value === null || value === undefined ? '—' : format(value));
    this.plot = new uPlot(
      {
        width: this.width(parent),
        height: options.height,
        scales: {
          x: {
            time: false,
            distr: options.logX ? 3 : 1,
            ...(options.padX !== undefined && { range: (_plot: uPlot, min: number, max: number): uPlot.Range.MinMax => [min - options.padX!, max + options.padX!] }),
          },
        },
        axes: [{ ...axis(options.xLabel, X_TICK_SPACE), incrs: WHOLE_INCREMENTS }, { ...axis(options.yLabel, Y_TICK_SPACE), size: 56 }],
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false }, points: { show: false } },
        series: [
          { label: options.xLabel, value: readout((value) => formatNumber(value, 4)) },
          ...options.curves.map(
            (curve): uPlot.Series => ({
              label: curve.label,
              stroke: curve.stroke,
              width: curve.width ?? 1.5,
              spanGaps: true,
              value: readout(formatY),
              points: { show: curve.points ?? false, size: 6, fill: curve.stroke },
              ...(curve.dash && { dash: curve.dash }),
              ...(curve.quiet && { legend: false }),
            }),
          ),
        ],
        hooks: { draw: [() => this.placeBands()] },
      },
      [[], ...options.curves.map(() => [])],
      this.element,
    );
    // uPlot marks a hidden legend row with its own class; the faint series are hidden there by CSS.
    options.curves.forEach((curve, i) => {
      if (curve.quiet) this.plot.root.querySelectorAll('.u-legend .u-series')[i + 1]?.classList.add('quiet');
    });
    this.bandLayer = h('div', { class: 'stage-bands' });
    this.plot.under.append(this.bandLayer);
    this.resizeObserver = new ResizeObserver(() => {
      const width = this.width(parent);
      if (Math.abs(width - this.plot.width) > 1) this.plot.setSize({ width, height: options.height });
    });
    this.resizeObserver.observe(parent);
  }

  setData(data: uPlot.AlignedData): void {
    this.plot.setData(data);
    this.lastLength = data[0].length;
    this.element.dataset['points'] = String(this.lastLength);
  }

  get pointCount(): number {
    return this.lastLength;
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.plot.destroy();
    this.element.remove();
  }

  private width(parent: HTMLElement): number {
    return Math.max(200, parent.clientWidth);
  }

  /** One band per stage, from its start to the next stage's (a stage begun before the first point starts at the left edge). */
  private placeBands(): void {
    const bands = this.options.bands?.() ?? [];
    const scale = this.plot.scales['x'];
    const min = scale?.min ?? 0;
    const max = scale?.max ?? 0;
    const width = this.plot.under.clientWidth;
    const elements: HTMLElement[] = [];
    bands.forEach((band, index) => {
      const end = bands[index + 1]?.start ?? max;
      if (end <= min || band.start >= max) return;
      const left = band.start <= min ? 0 : this.plot.valToPos(band.start, 'x');
      const right = end >= max ? width : this.plot.valToPos(end, 'x');
      if (!Number.isFinite(left) || !Number.isFinite(right) || right - left < 1) return;
      const element = h('div', { class: `stage-band ${index % 2 === 0 ? 'even' : 'odd'}`, 'data-start': band.start, title: `stage ${band.label}` },
        h('span', { class: 'stage-label' }, band.label));
      element.style.left = `${left}px`;
      element.style.width = `${right - left}px`;
      elements.push(element);
    });
    this.bandLayer.replaceChildren(...elements);
  }
}
