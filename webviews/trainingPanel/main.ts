// The training panel: the run the host forwards (RunEvents) read at a glance — header, curves with the
// validation metrics and stage bands, the summary and results once it ends — and the run history to
// compare. Events only update the model; one requestAnimationFrame draws whatever changed, so a burst
// of 100k steps costs a few frames, not a freeze.
import type {
  PanelContextMessage,
  RunHistoryEntry,
  TrainingPanelInbound,
  TrainingPanelOutbound,
  TrainingPanelState,
} from '../../common/protocol/panels';
import { connect, throttled } from '../shared/vscodeApi';
import { h } from '../shared/dom';
import { formatLoss, formatSimilarity } from '../shared/format';
import { onThemeChange, readTheme, withAlpha, type ThemeColours } from '../shared/theme';
import { CurveChart, type StageBand } from './curveChart';
import { renderClassificationReport } from './classificationReport';
import { judgedBy, METRICS } from './judgedMetric';
import { RunHeader } from './runHeader';
import { RunHistoryView } from './runHistoryView';
import { Ema, RunModel, isTrainingPanelState } from './runModel';
import { renderSummary } from './runSummary';

const channel = connect<TrainingPanelState, TrainingPanelOutbound>();
const model = new RunModel();
let history: RunHistoryEntry[] = [];
let context: Omit<PanelContextMessage, 'type'> = { workspaceFolders: [] };
const view = { smoothing: 0.6, logX: false, compare: [] as string[], resultsOf: undefined as string | undefined, onlyDifferences: true };
let theme: ThemeColours = readTheme();
/** When the last progress event arrived (performance.now()), so the clocks run between events. */
let progressAt = performance.now();
/** The run whose Stop was pressed, until it ends. */
let stoppingRun: string | undefined;

// ── layout ──
const root = document.getElementById('root') ?? document.body;
const header = new RunHeader();
const banner = h('div', { id: 'banner', role: 'alert', hidden: true });
const smoothingInput = h('input', { id: 'smoothing', type: 'range', min: 0, max: 0.99, step: 0.01, value: view.smoothing });
const smoothingValue = h('output', { for: 'smoothing' }, String(view.smoothing));
const logXInput = h('input', { id: 'log-x', type: 'checkbox' });
const controls = h('div', { class: 'controls' },
  h('label', { for: 'smoothing' }, 'Smoothing '), smoothingInput, smoothingValue,
  h('label', { class: 'toggle' }, logXInput, ' Log-scale steps'));
const charts = h('section', { id: 'charts', class: 'chart-grid', 'aria-label': 'Curves' });
const neighboursSection = h('section', { id: 'neighbours', hidden: true, 'aria-label': 'Nearest neighbours of the watch words' });
const summarySection = h('section', { id: 'summary', hidden: true, 'aria-labelledby': 'summary-title' });
const resultsSection = h('section', { id: 'results', hidden: true, 'aria-label': 'Validation results' });
const logList = h('ol', { id: 'logs', 'aria-live': 'polite' });
const logSection = h('section', { id: 'log-section', hidden: true }, h('h2', {}, 'Log'), logList);
const historyView = new RunHistoryView();

root.append(header.element, banner, controls, charts, neighboursSection, summarySection, resultsSection, logSection, historyView.element);

// ── state in and out ──
const saveState = throttled(() => channel.setState(model.toState(view)), 1000);
const restored = channel.getState();
if (isTrainingPanelState(restored)) {
  model.restore(restored);
  Object.assign(view, { smoothing: restored.smoothing, logX: restored.logX, compare: restored.compare, resultsOf: restored.resultsOf, onlyDifferences: restored.onlyDifferences });
  smoothingInput.value = String(view.smoothing);
  smoothingValue.textContent = String(view.smoothing);
  logXInput.checked = view.logX;
}

channel.onMessage<TrainingPanelInbound>((message) => {
  switch (message.type) {
    case 'runEvent':
      model.apply(message.runId, message.event);
      if (message.event.kind === 'step' || message.event.kind === 'caching') progressAt = performance.now();
      break;
    case 'runEvents':
      if (message.replace) model.reset(message.runId);
      for (const event of message.events) model.apply(message.runId, event);
      progressAt = performance.now();
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
    case 'context':
      context = message;
      historyDirty = true;
      renderedSummary = undefined;
      break;
  }
  if (!model.running || model.runId !== stoppingRun) stoppingRun = undefined;
  if (message.type === 'runEvent' || message.type === 'runEvents' || message.type === 'classificationReport') saveState.request();
  schedule();
});

header.stopButton.addEventListener('click', () => {
  if (!model.runId || !model.running) return;
  channel.post({ type: 'stop', runId: model.runId });
  stoppingRun = model.runId;
  header.stopButton.disabled = true;
  header.stopButton.textContent = 'Stopping…';
  schedule();
});
header.useButton.addEventListener('click', () => {
  if (model.end?.kind === 'finished') channel.post({ type: 'useForPredictions', runDir: model.end.runDir });
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
historyView.element.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement)) return;
  if (box.dataset['onlyDifferences'] !== undefined) view.onlyDifferences = box.checked;
  else view.compare = box.checked ? [...new Set([...view.compare, box.value])] : view.compare.filter((dir) => dir !== box.value);
  historyDirty = true;
  saveState.request();
  schedule();
});
root.addEventListener('click', (event) => {
  const target = event.target as Element;
  const reveal = target.closest('button[data-reveal]');
  if (reveal instanceof HTMLButtonElement) channel.post({ type: 'reveal', path: reveal.dataset['reveal'] ?? '' });
  const results = target.closest('button[data-results-of]');
  if (results instanceof HTMLButtonElement) showResultsOf(results.dataset['resultsOf']);
  if (target.closest('button[data-show-current]')) showResultsOf(undefined);
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
// Elapsed time and time left run on between the engine's events (only the header is redrawn).
setInterval(() => {
  if (model.running) renderStatus();
}, 1000);

// ── drawing, at most once a frame ──
let frame = 0;
let lossChart: CurveChart | undefined;
let metricChart: CurveChart | undefined;
let lrChart: CurveChart | undefined;
let chartsKey = '';
let emas: { revision: number; loss: Ema } | undefined;
let renderedLogs = -1;
let renderedLogsRevision = -1;
let historyDirty = true;
let renderedNeighbours = '';
/** The `finished` event the summary shows (a replay brings a new one). */
let renderedSummary: unknown;
let renderedResults: unknown;

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
  renderSummarySection();
  renderResults();
  if (historyDirty) renderHistory();
  document.body.dataset['rendered'] = String(model.step.length);
}

/** The stages as bands on a step axis. */
const stepBands = (): StageBand[] => model.stages.map((stage) => ({ start: stage.step, label: stage.name }));

/** The stages as bands on an epoch axis (points at 1, 2, …: a stage of epochs 1–3 spans 0.5–3.5). */
function epochBands(): StageBand[] {
  let before = 0;
  return (model.started?.stages ?? []).map((stage) => {
    const band = { start: before + 0.5, label: stage.name };
    before += stage.epochs;
    return band;
  });
}

function renderCharts(): void {
  const hasData = model.step.length > 0;
  const validates = model.started?.task === 'text-classification' && model.epochs.some((record) => record.validation);
  const key = `${hasData}|${model.hasValidation}|${validates}|${view.logX}|${theme.foreground}|${theme.blue}|${theme.background}`;
  if (key !== chartsKey) {
    chartsKey = key;
    for (const chart of [lossChart, metricChart, lrChart]) chart?.destroy();
    lossChart = metricChart = lrChart = undefined;
    charts.replaceChildren();
    if (hasData) buildCharts(validates);
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
  if (metricChart) {
    const epochs = model.epochs.filter((record) => record.validation);
    metricChart.setData([epochs.map((r) => r.epoch), epochs.map((r) => r.validation!.macroF1), epochs.map((r) => r.validation!.accuracy)]);
  }
}

function buildCharts(validates: boolean): void {
  const xLabel = model.started?.totalWords !== undefined ? 'words' : 'step';
  const cell = (wide = false): HTMLElement => charts.appendChild(h('div', { class: `chart-cell${wide ? ' wide' : ''}` }));
  lossChart = new CurveChart(cell(), {
    title: 'Loss', xLabel, yLabel: 'loss', height: 260, logX: view.logX, theme, bands: stepBands, formatY: formatLoss,
    curves: [
      { label: 'train (raw)', stroke: withAlpha(theme.blue, 0.25), width: 1, quiet: true },
      { label: 'train', stroke: theme.blue, width: 2 },
      ...(model.hasValidation ? [{ label: 'validation', stroke: theme.orange, width: 2, points: true }] : []),
    ],
  });
  lossChart.element.id = 'loss-chart';
  if (validates) {
    // The metric the run is judged by drawn bold; the other one thin and dashed.
    const judged = judgedBy(model.started?.task, model.started?.metric, model.epochs);
    metricChart = new CurveChart(cell(), {
      title: 'Validation metrics', xLabel: 'epoch', yLabel: 'score', height: 260, logX: false, theme, bands: epochBands, formatY: METRICS.accuracy.format, padX: 0.5,
      curves: [
        { label: 'macro-F1', stroke: theme.green, width: judged === 'accuracy' ? 1.5 : 2.5, points: true, ...(judged === 'accuracy' && { dash: [5, 4] }) },
        { label: 'accuracy', stroke: theme.purple, width: judged === 'accuracy' ? 2.5 : 1.5, points: true, ...(judged !== 'accuracy' && { dash: [5, 4] }) },
      ],
    });
    metricChart.element.id = 'metric-chart';
  }
  lrChart = new CurveChart(cell(validates), {
    title: 'Learning rate', xLabel, yLabel: 'rate', height: validates ? 150 : 260, logX: view.logX, theme, bands: stepBands,
    curves: [{ label: 'learning rate', stroke: theme.green, width: 1.5 }],
  });
  lrChart.element.id = 'lr-chart';
}

function renderStatus(): void {
  const { end } = model;
  controls.hidden = model.step.length === 0;
  const finishedRun = end?.kind === 'finished' && end.status === 'completed' ? end.runDir : undefined;
  header.render(model, (performance.now() - progressAt) / 1000, {
    stopping: stoppingRun !== undefined && stoppingRun === model.runId,
    answersPredictions: finishedRun !== undefined && context.predictionModel !== finishedRun,
  });
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
    h('caption', {}, 'Nearest neighbours of the watch words after each epoch, with their cosine similarity'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'word'), ...recent.map((n) => h('th', { scope: 'col' }, `epoch ${n.epoch}`)))),
    h('tbody', {}, ...words.map((word) => h('tr', {},
      h('th', { scope: 'row' }, word),
      ...recent.map((n) => h('td', {}, (n.neighbours[word] ?? []).slice(0, 5)
        .map((nb) => `${nb.word} ${formatSimilarity(nb.similarity)}`).join(', ') || '—'))))));
  neighboursSection.replaceChildren(h('h2', {}, 'Neighbours'), h('div', { class: 'table-scroll' }, table));
}

function renderSummarySection(): void {
  const end = model.end;
  if (end?.kind !== 'finished') {
    summarySection.hidden = true;
    renderedSummary = undefined;
    return;
  }
  if (renderedSummary === end) return;
  renderedSummary = end;
  summarySection.hidden = false;
  summarySection.dataset['runDir'] = end.runDir;
  summarySection.replaceChildren(h('h2', { id: 'summary-title' }, end.status === 'completed' ? 'Summary' : 'Summary (stopped)'), ...renderSummary(end.summary, end.runDir, context.workspaceFolders));
}

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

function renderHistory(): void {
  historyDirty = false;
  historyView.render(history, new Set(view.compare), { theme, smoothing: view.smoothing, logX: view.logX, workspaceFolders: context.workspaceFolders, onlyDifferences: view.onlyDifferences });
}

function firstPositive(steps: number[]): number {
  let i = 0;
  while (i < steps.length && steps[i]! <= 0) i++;
  return i;
}

schedule();
channel.post({ type: 'ready' });
