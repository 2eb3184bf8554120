// The training panel: live curves of the run the host forwards (RunEvents), its progress and logs, the
// final summary, and the run history to overlay. Events only update the model; one
// requestAnimationFrame draws whatever changed, so a burst of 100k steps costs a few frames, not a freeze.
import uPlot from 'uplot';
import type {
  RunHistoryEntry,
  TrainingPanelInbound,
  TrainingPanelOutbound,
  TrainingPanelState,
} from '../../common/protocol/panels';
import { connect, throttled } from '../shared/vscodeApi';
import { formatDuration, formatNumber, h } from '../shared/dom';
import { onThemeChange, readTheme, withAlpha, type ThemeColours } from '../shared/theme';
import { CurveChart } from './curveChart';
import { renderClassificationReport } from './classificationReport';
import { Ema, RunModel, isTrainingPanelState } from './runModel';

const channel = connect<TrainingPanelState, TrainingPanelOutbound>();
const model = new RunModel();
let history: RunHistoryEntry[] = [];
const view = { smoothing: 0.6, logX: false, compare: [] as string[], resultsOf: undefined as string | undefined };
let theme: ThemeColours = readTheme();

// ── layout ──
const root = document.getElementById('root') ?? document.body;
const title = h('h1', { id: 'run-title' }, 'No run yet');
const stopButton = h('button', { id: 'stop', type: 'button', disabled: true, 'aria-label': 'Stop the run (saves a checkpoint)' }, 'Stop');
const progress = h('progress', { id: 'progress', max: 100, value: 0, 'aria-label': 'Run progress' });
const progressText = h('span', { id: 'progress-text' }, '0%');
const stat = (id: string, label: string): HTMLElement => {
  const value = h('dd', { id }, '—');
  stats.append(h('div', { class: 'stat' }, h('dt', {}, label), value));
  return value;
};
const stats = h('dl', { class: 'stats' });
const epochText = stat('epoch', 'Epoch');
const stageText = stat('stage', 'Stage');
const stepText = stat('step', 'Step');
const throughputText = stat('throughput', 'Throughput');
const etaText = stat('eta', 'ETA');
const elapsedText = stat('elapsed', 'Elapsed');
const backendText = stat('backend', 'Runs on');
const banner = h('div', { id: 'banner', role: 'alert', hidden: true });

const smoothingInput = h('input', { id: 'smoothing', type: 'range', min: 0, max: 0.99, step: 0.01, value: view.smoothing });
const smoothingValue = h('output', { for: 'smoothing' }, String(view.smoothing));
const logXInput = h('input', { id: 'log-x', type: 'checkbox' });
const controls = h('div', { class: 'controls' },
  h('label', { for: 'smoothing' }, 'Smoothing '), smoothingInput, smoothingValue,
  h('label', { class: 'toggle' }, logXInput, ' Log-scale steps'));

const charts = h('section', { id: 'charts', 'aria-label': 'Curves' });
const neighboursSection = h('section', { id: 'neighbours', hidden: true, 'aria-label': 'Nearest neighbours of the watch words' });
const summarySection = h('section', { id: 'summary', hidden: true, 'aria-label': 'Final summary' });
const resultsSection = h('section', { id: 'results', hidden: true, 'aria-label': 'Validation results' });
const logList = h('ol', { id: 'logs', 'aria-live': 'polite' });
const logSection = h('section', { id: 'log-section', hidden: true }, h('h2', {}, 'Log'), logList);
const historyList = h('ul', { id: 'history-list' });
const compareCharts = h('div', { id: 'compare' });
const historySection = h('section', { id: 'history', hidden: true },
  h('h2', {}, 'Run history'), h('p', { class: 'hint' }, 'Check runs to overlay their loss curves.'), historyList, compareCharts);

root.append(
  h('header', { class: 'run-header' }, title, stopButton),
  h('div', { class: 'progress-row' }, progress, progressText),
  banner, stats, controls, charts, neighboursSection, summarySection, resultsSection, logSection, historySection,
);

// ── state in and out ──
const saveState = throttled(() => channel.setState(model.toState(view)), 1000);
const restored = channel.getState();
if (isTrainingPanelState(restored)) {
  model.restore(restored);
  Object.assign(view, { smoothing: restored.smoothing, logX: restored.logX, compare: restored.compare, resultsOf: restored.resultsOf });
  smoothingInput.value = String(view.smoothing);
  smoothingValue.textContent = String(view.smoothing);
  logXInput.checked = view.logX;
}

channel.onMessage<TrainingPanelInbound>((message) => {
  switch (message.type) {
    case 'runEvent':
      model.apply(message.runId, message.event);
      break;
    case 'runEvents':
      if (message.replace) model.reset(message.runId);
      for (const event of message.events) model.apply(message.runId, event);
      break;
    case 'history':
      history = message.runs;
      historyDirty = true;
      break;
    case 'classificationReport':
      model.setClassification(message.runId, message.report);
      // The run just finished: show its results rather than a past run's.
      view.resultsOf = undefined;
      break;
  }
  if (message.type !== 'history') saveState.request();
  schedule();
});

stopButton.addEventListener('click', () => {
  if (!model.runId || !model.running) return;
  channel.post({ type: 'stop', runId: model.runId });
  stopButton.disabled = true;
  stopButton.textContent = 'Stopping…';
});
smoothingInput.addEventListener('input', () => {
  view.smoothing = Number(smoothingInput.value);
  smoothingValue.textContent = smoothingInput.value;
  emas = undefined;
  historyDirty = true;
  saveState.request();
  schedule();
});
logXInput.addEventListener('change', () => {
  view.logX = logXInput.checked;
  rebuildCharts();
  saveState.request();
});
historyList.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement)) return;
  view.compare = box.checked ? [...new Set([...view.compare, box.value])] : view.compare.filter((dir) => dir !== box.value);
  historyDirty = true;
  saveState.request();
  schedule();
});
historyList.addEventListener('click', (event) => {
  const button = (event.target as Element).closest('button[data-run-dir]');
  if (button instanceof HTMLButtonElement) channel.post({ type: 'revealRun', runDir: button.dataset['runDir'] ?? '' });
  const results = (event.target as Element).closest('button[data-results-of]');
  if (results instanceof HTMLButtonElement) showResultsOf(results.dataset['resultsOf']);
});
resultsSection.addEventListener('click', (event) => {
  if ((event.target as Element).closest('button[data-show-current]')) showResultsOf(undefined);
});

/** Shows the results of the history entry with this runDir, or (undefined) the current run's. */
function showResultsOf(runDir: string | undefined): void {
  view.resultsOf = runDir;
  saveState.request();
  schedule();
  if (runDir !== undefined) requestAnimationFrame(() => resultsSection.scrollIntoView({ block: 'nearest' }));
}
onThemeChange(() => {
  theme = readTheme();
  rebuildCharts();
});
window.addEventListener('pagehide', () => saveState.flush());

// ── drawing, at most once a frame ──
let frame = 0;
let lossChart: CurveChart | undefined;
let lrChart: CurveChart | undefined;
let compareChart: CurveChart | undefined;
let chartsKey = '';
let emas: { revision: number; loss: Ema } | undefined;
let renderedLogs = -1;
let renderedLogsRevision = -1;
let historyDirty = true;
let renderedNeighbours = '';

function schedule(): void {
  if (frame === 0) frame = requestAnimationFrame(render);
}

function rebuildCharts(): void {
  chartsKey = '';
  historyDirty = true;
  schedule();
}

function render(): void {
  frame = 0;
  renderCharts();
  renderStatus();
  renderLogs();
  renderNeighbours();
  renderSummary();
  renderResults();
  if (historyDirty) renderHistory();
  document.body.dataset['rendered'] = String(model.step.length);
}

function renderCharts(): void {
  const hasData = model.step.length > 0;
  const key = `${hasData}|${model.hasValidation}|${view.logX}|${theme.foreground}|${theme.blue}|${theme.background}`;
  if (key !== chartsKey) {
    chartsKey = key;
    lossChart?.destroy();
    lrChart?.destroy();
    lossChart = lrChart = undefined;
    if (hasData) {
      const markers = (): { step: number; label: string }[] => model.stages.map((s) => ({ step: s.step, label: s.name }));
      lossChart = new CurveChart(charts, {
        title: 'Loss', yLabel: 'loss', height: 260, logX: view.logX, theme, markers,
        curves: [
          { label: 'train (raw)', stroke: withAlpha(theme.blue, 0.25), width: 1, quiet: true },
          { label: 'train', stroke: theme.blue, width: 2 },
          ...(model.hasValidation ? [{ label: 'validation', stroke: theme.orange, width: 2, points: true }] : []),
        ],
      });
      lossChart.element.id = 'loss-chart';
      lrChart = new CurveChart(charts, {
        title: 'Learning rate', yLabel: 'learning rate', height: 150, logX: view.logX, theme, markers,
        curves: [{ label: 'learning rate', stroke: theme.green, width: 1.5 }],
      });
      lrChart.element.id = 'lr-chart';
    }
  }
  if (!lossChart || !lrChart) return;
  if (!emas || emas.revision !== model.revision || emas.loss.weight !== view.smoothing) {
    emas = { revision: model.revision, loss: new Ema(view.smoothing) };
  }
  const smoothed = emas.loss.update(model.loss);
  // Log scales cannot show step 0: start at the first positive step.
  const from = view.logX ? firstPositive(model.step) : 0;
  const cut = <T>(column: T[]): T[] => (from === 0 ? column : column.slice(from));
  const x = cut(model.step);
  lossChart.setData([x, cut(model.loss), cut(smoothed), ...(model.hasValidation ? [cut(model.validationLoss)] : [])]);
  lrChart.setData([x, cut(model.learningRate)]);
}

function renderStatus(): void {
  const { started, lastStep, end } = model;
  title.textContent = started ? `${started.name} — ${started.task}` : 'No run yet';
  const done = end?.kind === 'finished' && end.status === 'completed';
  const percent = done ? 100 : Math.min(100, Math.max(0, (lastStep?.progress ?? 0) * 100));
  progress.value = percent;
  progressText.textContent = `${percent.toFixed(percent < 10 && percent > 0 ? 1 : 0)}%`;
  epochText.textContent = lastStep ? `${lastStep.epoch}${started ? ` / ${started.epochs}` : ''}` : '—';
  const stage = lastStep?.stage ?? model.stages.filter((s) => s.step <= (lastStep?.step ?? 0)).at(-1)?.name;
  const frozen = model.stages.find((s) => s.name === stage)?.frozen;
  stageText.textContent = stage ? `${stage}${frozen && frozen !== 'none' ? ` (${frozen} frozen)` : ''}` : '—';
  stepText.textContent = lastStep ? `${lastStep.step}${started ? ` / ${started.totalSteps}` : ''}` : '—';
  throughputText.textContent = lastStep ? `${formatNumber(lastStep.throughput, 3)} ${lastStep.throughputUnit}` : '—';
  etaText.textContent = end ? (end.kind === 'failed' ? 'failed' : end.status) : lastStep ? formatDuration(lastStep.etaSeconds) : '—';
  elapsedText.textContent = end?.kind === 'finished' ? formatDuration(end.elapsedSeconds) : lastStep ? formatDuration(lastStep.elapsedSeconds) : '—';
  backendText.textContent = started?.backend ? (started.backend.device ?? started.backend.name) : '—';
  if (started?.backend) backendText.title = `backend ${started.backend.name}: ${started.backend.reason}`;
  if (model.running) {
    if (stopButton.textContent !== 'Stopping…') stopButton.disabled = false;
  } else {
    stopButton.disabled = true;
    stopButton.textContent = 'Stop';
  }
  if (end?.kind === 'failed') {
    banner.hidden = false;
    banner.className = 'error';
    banner.textContent = `Run failed: ${end.message}${end.location ? ` (${end.location.file}${end.location.line ? `:${end.location.line}` : ''})` : ''}`;
  } else if (end?.kind === 'finished' && end.status === 'stopped') {
    banner.hidden = false;
    banner.className = 'info';
    banner.textContent = 'Run stopped; a checkpoint was saved. Resume it with "NLP Studio: Resume run".';
  } else {
    banner.hidden = true;
  }
}

function renderLogs(): void {
  if (renderedLogs === model.logs.length && renderedLogsRevision === model.revision) return;
  if (renderedLogsRevision !== model.revision || renderedLogs > model.logs.length) {
    logList.replaceChildren();
    renderedLogs = 0;
  }
  renderedLogsRevision = model.revision;
  for (const entry of model.logs.slice(renderedLogs)) {
    logList.append(h('li', { class: `log ${entry.level}` },
      h('span', { class: 'level' }, entry.level), ' ', entry.message,
      entry.location ? h('span', { class: 'location' }, ` — ${entry.location}`) : null));
  }
  renderedLogs = model.logs.length;
  logSection.hidden = model.logs.length === 0;
}

function renderNeighbours(): void {
  const recent = model.neighbours.slice(-4);
  const key = recent.map((n) => n.epoch).join(',') + `|${model.revision}`;
  if (key === renderedNeighbours) return;
  renderedNeighbours = key;
  neighboursSection.hidden = recent.length === 0;
  if (recent.length === 0) return;
  const words = [...new Set(recent.flatMap((n) => Object.keys(n.neighbours)))];
  const table = h('table', { class: 'neighbours' },
    h('caption', {}, 'Nearest neighbours of the watch words, by epoch'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'word'), ...recent.map((n) => h('th', { scope: 'col' }, `epoch ${n.epoch}`)))),
    h('tbody', {}, ...words.map((word) => h('tr', {},
      h('th', { scope: 'row' }, word),
      ...recent.map((n) => h('td', {}, (n.neighbours[word] ?? []).slice(0, 5)
        .map((nb) => `${nb.word} ${nb.similarity.toFixed(2)}`).join(', ') || '—'))))));
  neighboursSection.replaceChildren(h('h2', {}, 'Neighbours'), table);
}

function renderSummary(): void {
  const end = model.end;
  if (end?.kind !== 'finished') {
    summarySection.hidden = true;
    return;
  }
  if (!summarySection.hidden && summarySection.dataset['runDir'] === end.runDir) return;
  summarySection.hidden = false;
  summarySection.dataset['runDir'] = end.runDir;
  const rows = flattenSummary(end.summary).slice(0, 24);
  summarySection.replaceChildren(
    h('h2', {}, end.status === 'completed' ? 'Summary' : 'Summary (stopped)'),
    h('dl', { class: 'summary' },
      ...[['status', end.status], ['elapsed', formatDuration(end.elapsedSeconds)], ...rows]
        .map(([k, v]) => h('div', { class: 'stat' }, h('dt', {}, k ?? ''), h('dd', {}, v ?? '')))),
    h('p', {}, h('button', { type: 'button', 'data-run-dir': end.runDir, class: 'link' }, 'Open run folder')),
  );
  summarySection.querySelector('button')?.addEventListener('click', () => channel.post({ type: 'revealRun', runDir: end.runDir }));
}

let renderedResults: unknown;

/** The confusion matrix and per-class table: of the history entry picked, else of the current run. */
function renderResults(): void {
  const picked = view.resultsOf === undefined ? undefined : history.find((run) => run.runDir === view.resultsOf && run.classification);
  const report = picked?.classification ?? model.classification;
  const key = report && `${picked?.runDir ?? 'current'}|${model.revision}|${model.classification === undefined}|${report.accuracy}`;
  if (key === renderedResults) return;
  renderedResults = key;
  resultsSection.hidden = report === undefined;
  if (report === undefined) {
    resultsSection.replaceChildren();
    return;
  }
  const heading = picked ? `Validation results of ${picked.name}` : 'Validation results';
  const back = picked
    ? h('button', { type: 'button', class: 'link', 'data-show-current': true }, model.classification ? 'Show the current run' : 'Close')
    : null;
  resultsSection.dataset['runDir'] = picked?.runDir ?? (model.end?.kind === 'finished' ? model.end.runDir : '');
  resultsSection.replaceChildren(h('h2', {}, heading), ...(back ? [h('p', {}, back)] : []), ...renderClassificationReport(report));
}

function flattenSummary(summary: Record<string, unknown>, prefix = ''): [string, string][] {
  const rows: [string, string][] = [];
  for (const [key, value] of Object.entries(summary)) {
    const name = prefix + key;
    if (typeof value === 'number') rows.push([name, formatNumber(value)]);
    else if (typeof value === 'string' || typeof value === 'boolean') rows.push([name, String(value)]);
    else if (value && typeof value === 'object' && !Array.isArray(value) && prefix === '') {
      rows.push(...flattenSummary(value as Record<string, unknown>, `${name}.`));
    }
  }
  return rows;
}

function renderHistory(): void {
  historyDirty = false;
  historySection.hidden = history.length === 0;
  const checked = new Set(view.compare);
  historyList.replaceChildren(...history.map((run) => {
    const metrics = Object.entries(run.finalMetrics).slice(0, 4).map(([k, v]) => `${k} ${formatNumber(v)}`).join(' · ');
    return h('li', {},
      h('label', {},
        h('input', { type: 'checkbox', value: run.runDir, checked: checked.has(run.runDir) }),
        ` ${run.name}`,
        h('span', { class: 'muted' }, ` ${new Date(run.date).toLocaleString()}${run.status ? ` · ${run.status}` : ''}${metrics ? ` · ${metrics}` : ''}`)),
      ' ',
      run.classification
        ? h('button', { type: 'button', class: 'link', 'data-results-of': run.runDir, 'aria-label': `Show the confusion matrix of ${run.name}` }, 'Results')
        : null,
      run.classification ? ' ' : null,
      h('button', { type: 'button', class: 'link', 'data-run-dir': run.runDir, 'aria-label': `Open the folder of ${run.name}` }, 'Open'));
  }));
  compareChart?.destroy();
  compareChart = undefined;
  const runs = history.filter((run) => checked.has(run.runDir) && run.series.step.length > 0);
  if (runs.length === 0) return;
  const palette = [theme.blue, theme.orange, theme.green, theme.purple, theme.red, theme.yellow];
  const tables = runs.map((run): uPlot.AlignedData => {
    const ema = new Ema(view.smoothing).update(run.series.loss);
    const from = view.logX ? firstPositive(run.series.step) : 0;
    return [run.series.step.slice(from), ema.slice(from)];
  });
  compareChart = new CurveChart(compareCharts, {
    title: `Loss of ${runs.length} runs`, yLabel: 'loss', height: 240, logX: view.logX, theme,
    curves: runs.map((run, i) => ({ label: run.name, stroke: palette[i % palette.length]!, width: 2 })),
  });
  compareChart.element.id = 'compare-chart';
  compareChart.setData(uPlot.join(tables));
}

function firstPositive(steps: number[]): number {
  let i = 0;
  while (i < steps.length && steps[i]! <= 0) i++;
  return i;
}

schedule();
channel.post({ type: 'ready' });
