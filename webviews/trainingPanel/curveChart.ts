// One uPlot chart of curves against the step, with stage boundaries as labelled vertical markers.
// uPlot takes its colours at creation, so a theme change or the log-x toggle builds the chart anew.
import uPlot from 'uplot';
import { h } from '../shared/dom';
import type { ThemeColours } from '../shared/theme';

export interface CurveSpec {
  label: string;
  stroke: string;
  width?: number;
  /** Draw the points (sparse series such as validation loss, one per epoch). */
  points?: boolean;
  /** Left out of the legend and the hover readout (the faint raw series under a smoothed one). */
  quiet?: boolean;
}

export interface CurveChartOptions {
  title: string;
  yLabel: string;
  height: number;
  logX: boolean;
  theme: ThemeColours;
  curves: CurveSpec[];
  /** Stage boundaries, read at each draw. */
  markers?: () => { step: number; label: string }[];
}

export class CurveChart {
  readonly element: HTMLElement;
  private readonly plot: uPlot;
  private readonly markerLayer: HTMLElement;
  private readonly resizeObserver: ResizeObserver;
  private lastLength = 0;

  constructor(parent: HTMLElement, readonly options: CurveChartOptions) {
    this.element = h('figure', { class: 'chart', 'data-points': 0, 'data-series': options.curves.length });
    this.element.append(h('figcaption', {}, options.title));
    parent.append(this.element);
    const { theme } = options;
    const axis = (label?: string): uPlot.Axis => ({
      stroke: theme.muted,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1 },
      font: theme.font,
      labelFont: theme.font,
      ...(label !== undefined && { label }),
    });
    this.plot = new uPlot(
      {
        width: Math.max(200, parent.clientWidth),
        height: options.height,
        scales: { x: { time: false, distr: options.logX ? 3 : 1 } },
        axes: [axis('step'), axis(options.yLabel)],
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false }, points: { show: false } },
        series: [
          { label: 'step' },
          ...options.curves.map(
            (curve): uPlot.Series => ({
              label: curve.label,
              stroke: curve.stroke,
              width: curve.width ?? 1.5,
              spanGaps: true,
              points: { show: curve.points ?? false, size: 5, fill: curve.stroke },
              ...(curve.quiet && { legend: false }),
            }),
          ),
        ],
        hooks: { draw: [() => this.placeMarkers()] },
      },
      [[], ...options.curves.map(() => [])],
      this.element,
    );
    // uPlot marks a hidden legend row with its own class; the faint series are hidden there by CSS.
    options.curves.forEach((curve, i) => {
      if (curve.quiet) this.plot.root.querySelectorAll('.u-legend .u-series')[i + 1]?.classList.add('quiet');
    });
    this.markerLayer = h('div', { class: 'stage-markers' });
    this.plot.over.append(this.markerLayer);
    this.resizeObserver = new ResizeObserver(() => {
      const width = Math.max(200, parent.clientWidth);
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

  private placeMarkers(): void {
    const markers = this.options.markers?.() ?? [];
    const width = this.plot.over.clientWidth;
    const elements: HTMLElement[] = [];
    // A stage that began before the first point (step 0) is still named, at the left edge.
    const before = markers.filter((m) => !(m.step > (this.plot.scales['x']?.min ?? 0))).at(-1);
    for (const marker of markers) {
      const left = marker === before ? 0 : this.plot.valToPos(marker.step, 'x');
      if (!Number.isFinite(left) || left < 0 || left > width) continue;
      const element = h('div', { class: 'stage-marker', 'data-step': marker.step, title: `stage ${marker.label} from step ${marker.step}` },
        h('span', { class: 'stage-label' }, marker.label));
      element.style.left = `${left}px`;
      elements.push(element);
    }
    this.markerLayer.replaceChildren(...elements);
  }
}
