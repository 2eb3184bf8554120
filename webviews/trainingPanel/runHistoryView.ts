// Past runs: a table (task, status, the metric each is judged by, date) whose checked rows are compared.
// Only comparable runs share a chart (one group per task: a classifier's cross-entropy and word2vec's
// negative-sampling loss are different numbers), on steps when the runs have as many, else on epochs;
// under the charts, the runs' configs side by side with what differs highlighted.
import uPlot from 'uplot';
import type { RunHistoryEntry } from '../../common/protocol/panels';
import type { RunTask } from '../../common/protocol/runEvents';
import { formatDuration } from '../../common/formatDuration';
import { h } from '../shared/dom';
import { formatNumber, shortenPath, taskName } from '../shared/format';
import type { ThemeColours } from '../shared/theme';
import { CurveChart } from './curveChart';
import { judge, judgedBy, METRICS } from './judgedMetric';
import { Ema } from './runModel';

export interface HistoryViewOptions {
  theme: ThemeColours;
  smoothing: number;
  logX: boolean;
  workspaceFolders: readonly string[];
  onlyDifferences: boolean;
}

const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** Config keys the table leaves out: the run's name heads its column. */
const HIDDEN_KEYS = new Set(['name']);

const palette = (theme: ThemeColours): string[] => [theme.blue, theme.orange, theme.green, theme.purple, theme.red, theme.yellow];

function judgedCell(run: RunHistoryEntry): HTMLElement {
  const judgement = judge(run.task, run.metric, run.epochRecords);
  const { best } = judgement;
  if (!best) return h('td', { class: 'num muted' }, '—');
  const of = run.epochs !== undefined ? ` of ${run.epochs}` : '';
  return h('td', { class: 'num', title: `${judgement.spec.label}, best after epoch ${best.epoch}${of}` }, `${judgement.spec.short} ${judgement.spec.format(best.value)}`);
}

function historyRow(run: RunHistoryEntry, checked: boolean): HTMLElement {
  const status = run.stoppedEarly ? 'stopped early' : (run.status ?? 'unknown');
  return h('tr', { 'data-run-dir': run.runDir },
    h('td', {}, h('input', { type: 'checkbox', value: run.runDir, checked, 'aria-label': `Compare ${run.name}` })),
    h('th', { scope: 'row' }, run.name),
    h('td', {}, run.task ? taskName(run.task) : '—'),
    h('td', {}, h('span', { class: `badge ${run.status ?? ''}` }, status)),
    judgedCell(run),
    h('td', { class: 'date' }, date.format(run.date)),
    h('td', { class: 'actions' },
      run.classification
        ? h('button', { type: 'button', class: 'link', 'data-results-of': run.runDir, 'aria-label': `Show the confusion matrix of ${run.name}` }, 'Results')
        : null,
      h('button', { type: 'button', class: 'link', 'data-reveal': run.runDir, 'aria-label': `Reveal the folder of ${run.name}` }, 'Reveal')));
}

/** A selector that finds `element` again after a rebuild: its tag with its value and data attributes. */
function focusSelector(element: Element | null, within: HTMLElement): string | undefined {
  if (!(element instanceof HTMLElement) || !within.contains(element) || element === within) return undefined;
  const attributes = [...element.attributes].filter((attribute) => attribute.name === 'value' || attribute.name.startsWith('data-'));
  if (attributes.length === 0) return undefined;
  return element.tagName.toLowerCase() + attributes.map((attribute) => `[${attribute.name}="${CSS.escape(attribute.value)}"]`).join('');
}

/** True when every run has the same number of steps: they share a step axis; else epochs. */
function sameSteps(runs: readonly RunHistoryEntry[]): boolean {
  const lasts = new Set(runs.map((run) => run.series.step.at(-1)));
  return lasts.size === 1;
}

export class RunHistoryView {
  readonly element: HTMLElement;
  private readonly body = h('tbody', {});
  private readonly compare = h('div', { id: 'compare' });
  private charts: CurveChart[] = [];

  constructor() {
    this.element = h('section', { id: 'history', hidden: true, 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'Run history'),
      h('p', { class: 'hint' }, 'Check runs to compare their curves and their configs.'),
      h('div', { class: 'table-scroll' },
        h('table', { id: 'history-table', class: 'history' },
          h('thead', {}, h('tr', {}, ...['', 'run', 'task', 'status', 'judged by', 'date', ''].map((name) => h('th', { scope: 'col', class: name === 'judged by' ? 'num' : undefined }, name)))),
          this.body)),
      this.compare);
  }

  render(history: readonly RunHistoryEntry[], checked: ReadonlySet<string>, options: HistoryViewOptions): void {
    // The rows are built anew: the control that had the focus gets it back, so the keyboard stays where it was.
    const focused = focusSelector(document.activeElement, this.element);
    this.build(history, checked, options);
    if (focused) this.element.querySelector<HTMLElement>(focused)?.focus();
  }

  private build(history: readonly RunHistoryEntry[], checked: ReadonlySet<string>, options: HistoryViewOptions): void {
    this.element.hidden = history.length === 0;
    this.body.replaceChildren(...history.map((run) => historyRow(run, checked.has(run.runDir))));
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    const runs = history.filter((run) => checked.has(run.runDir));
    const colours = new Map(runs.map((run, i) => [run.runDir, palette(options.theme)[i % 6]!]));
    const groups = new Map<string, RunHistoryEntry[]>();
    for (const run of runs) groups.set(run.task ?? 'unknown', [...(groups.get(run.task ?? 'unknown') ?? []), run]);
    this.compare.replaceChildren();
    if (groups.size > 1) this.compare.append(h('p', { class: 'hint', id: 'compare-note' }, 'Runs of different tasks are compared apart: their losses are not the same quantity.'));
    for (const [task, group] of groups) this.renderGroup(task, group, colours, options);
  }

  /** Appends one task's comparison; it is in the page before its charts measure their cells. */
  private renderGroup(task: string, runs: RunHistoryEntry[], colours: ReadonlyMap<string, string>, options: HistoryViewOptions): void {
    const onSteps = sameSteps(runs);
    const name = task === 'unknown' ? 'other' : taskName(task as RunTask);
    const grid = h('div', { class: 'chart-grid' });
    const group = h('section', { class: 'compare-group', 'data-task': task, 'aria-label': `Comparison of ${name} runs` },
      h('h3', {}, `${runs.length} ${name} run${runs.length === 1 ? '' : 's'}`),
      onSteps || runs.length === 1 ? null : h('p', { class: 'hint axis-note' }, 'Their step counts differ, so the x axis counts epochs.'),
      grid);
    this.compare.append(group);
    this.lossChart(grid, runs, colours, options, onSteps);
    this.metricChart(grid, runs, colours, options);
    group.append(this.configTable(runs, colours, options));
  }

  private lossChart(grid: HTMLElement, runs: RunHistoryEntry[], colours: ReadonlyMap<string, string>, options: HistoryViewOptions, onSteps: boolean): void {
    const drawn = runs.filter((run) => run.series.step.length > 0);
    if (drawn.length === 0) return;
    const cell = h('div', { class: `chart-cell${runs.some((run) => judgedBy(run.task, run.metric, run.epochRecords) !== 'train_loss') ? '' : ' wide'}` });
    grid.append(cell);
    const tables = drawn.map((run): uPlot.AlignedData => {
      // Train-loss points only: a validation point shares its step with the epoch's last step, and uPlot.join wants each x once.
      const kept = run.series.loss.flatMap((loss, i) => (loss === null ? [] : [i]));
      const x = kept.map((i) => (onSteps ? run.series.step : run.series.epoch)[i]!);
      const smoothed = new Ema(options.smoothing).update(kept.map((i) => run.series.loss[i]!));
      const from = options.logX ? Math.max(0, x.findIndex((value) => value > 0)) : 0;
      return [x.slice(from), smoothed.slice(from)];
    });
    const chart = new CurveChart(cell, {
      title: 'Training loss', xLabel: onSteps ? 'step' : 'epoch', yLabel: 'loss', height: 240, logX: options.logX, theme: options.theme,
      curves: drawn.map((run) => ({ label: run.name, stroke: colours.get(run.runDir)!, width: 2 })),
    });
    chart.element.id = 'compare-chart';
    chart.setData(uPlot.join(tables));
    this.charts.push(chart);
  }

  /** The validation metric each classifier is judged by, per epoch. */
  private metricChart(grid: HTMLElement, runs: RunHistoryEntry[], colours: ReadonlyMap<string, string>, options: HistoryViewOptions): void {
    const judged = runs.filter((run) => judgedBy(run.task, run.metric, run.epochRecords) !== 'train_loss');
    if (judged.length === 0) return;
    const by = judgedBy(judged[0]!.task, judged[0]!.metric, judged[0]!.epochRecords);
    const spec = METRICS[by];
    const cell = h('div', { class: 'chart-cell' });
    grid.append(cell);
    const tables = judged.map((run): uPlot.AlignedData => [run.epochRecords.map((record) => record.epoch), run.epochRecords.map((record) => spec.read(record) ?? null)]);
    const chart = new CurveChart(cell, {
      title: spec.label, xLabel: 'epoch', yLabel: spec.short, height: 240, logX: false, theme: options.theme, formatY: spec.format, padX: 0.5,
      curves: judged.map((run) => ({ label: run.name, stroke: colours.get(run.runDir)!, width: 2, points: true })),
    });
    chart.element.id = 'compare-metric-chart';
    chart.setData(uPlot.join(tables));
    this.charts.push(chart);
  }

  /** The runs' outcomes and configs side by side; rows whose values differ are marked (and, by choice, the only ones shown). */
  private configTable(runs: RunHistoryEntry[], colours: ReadonlyMap<string, string>, options: HistoryViewOptions): HTMLElement {
    const outcome: [string, (run: RunHistoryEntry) => string][] = [
      ['judged by', (run) => {
        const { spec, best } = judge(run.task, run.metric, run.epochRecords);
        return best ? `${spec.short} ${spec.format(best.value)} (epoch ${best.epoch})` : '—';
      }],
      ['epochs', (run) => `${run.epochsCompleted ?? run.epochRecords.length}${run.epochs !== undefined && run.epochs !== run.epochsCompleted ? ` of ${run.epochs}` : ''}${run.stoppedEarly ? ', stopped early' : ''}`],
      ['steps', (run) => formatNumber(run.series.step.at(-1) ?? 0)],
      ['time', (run) => formatDuration(run.elapsedSeconds, '—')],
    ];
    const keys = [...new Set(runs.flatMap((run) => Object.keys(run.config ?? {})))].filter((key) => !HIDDEN_KEYS.has(key));
    const value = (run: RunHistoryEntry, key: string): string => run.config?.[key] ?? '—';
    const differs = (key: string): boolean => new Set(runs.map((run) => value(run, key))).size > 1;
    const shown = runs.length > 1 && options.onlyDifferences ? keys.filter(differs) : keys;
    const cell = (text: string): HTMLElement =>
      text.startsWith('/') ? h('td', { title: text }, shortenPath(text, options.workspaceFolders)) : h('td', {}, text);
    const header = h('tr', {}, h('th', { scope: 'col' }, 'setting'), ...runs.map((run) => {
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.setProperty('--swatch', colours.get(run.runDir)!);
      return h('th', { scope: 'col' }, swatch, run.name);
    }));
    const table = h('table', { class: 'config-diff' },
      h('caption', {}, runs.length > 1 ? 'Outcome and config of each run; what differs is highlighted' : 'Outcome and config'),
      h('thead', {}, header),
      h('tbody', {},
        ...outcome.map(([label, read]) => h('tr', { class: 'outcome' }, h('th', { scope: 'row' }, label), ...runs.map((run) => h('td', {}, read(run))))),
        ...shown.map((key) => h('tr', { class: runs.length > 1 && differs(key) ? 'differs' : '' }, h('th', { scope: 'row' }, key), ...runs.map((run) => cell(value(run, key)))))));
    const hidden = keys.length - shown.length;
    const toggle = runs.length > 1
      ? h('label', { class: 'toggle only-differences' },
        h('input', { type: 'checkbox', 'data-only-differences': true, checked: options.onlyDifferences }),
        ` Only the settings that differ${hidden > 0 ? ` (${hidden} the same)` : ''}`)
      : null;
    // One run's whole config is long: folded until asked for. Compared runs show it open.
    return h('details', { class: 'config-compare', open: runs.length > 1 },
      h('summary', {}, runs.length > 1 ? 'Configs side by side' : `Config of ${runs[0]!.name}`),
      h('div', { class: 'table-scroll' }, table), toggle);
  }
}
