// The top of the training panel, what a practitioner reads at a glance: the run and its state, the
// metric it is judged by (best and latest), elapsed time and time left in the clock format the status
// bar and the CLI use, progress, and where the run is (epoch, step, stage, backend).
import { formatDuration, formatEta } from '../../common/formatDuration';
import { h } from '../shared/dom';
import { formatNumber, plural, taskName } from '../shared/format';
import { judge } from './judgedMetric';
import type { RunModel } from './runModel';

type RunState = 'idle' | 'starting' | 'caching' | 'running' | 'stopping' | 'completed' | 'stopped-early' | 'stopped' | 'failed';

const STATE_NAMES: Record<RunState, string> = {
  idle: 'No run',
  starting: 'Starting…',
  caching: 'Caching features',
  running: 'Running',
  stopping: 'Stopping…',
  completed: 'Completed',
  'stopped-early': 'Completed · stopped early',
  stopped: 'Stopped',
  failed: 'Failed',
};

function stateOf(model: RunModel, stopping: boolean): RunState {
  const { started, end } = model;
  if (!started && !end) return 'idle';
  if (end?.kind === 'failed') return 'failed';
  if (end?.kind === 'finished') return end.status === 'stopped' ? 'stopped' : end.summary['stoppedEarly'] === true ? 'stopped-early' : 'completed';
  if (stopping) return 'stopping';
  if (model.caching) return 'caching';
  return model.lastStep ? 'running' : 'starting';
}

function card(id: string, label: string): { element: HTMLElement; label: HTMLElement; value: HTMLElement; detail: HTMLElement } {
  const labelElement = h('dt', {}, label);
  const value = h('dd', { id, class: 'big' }, '—');
  const detail = h('dd', { class: 'detail muted' });
  return { element: h('div', { class: 'card', id: `${id}-card` }, labelElement, value, detail), label: labelElement, value, detail };
}

export class RunHeader {
  readonly element: HTMLElement;
  readonly stopButton = h('button', { id: 'stop', type: 'button', disabled: true, 'aria-label': 'Stop the run (saves a checkpoint)' }, 'Stop');
  readonly useButton = h('button', { id: 'use-for-predictions', type: 'button', class: 'secondary', hidden: true }, 'Use for predictions');
  private readonly title = h('h1', { id: 'run-title' }, 'No run yet');
  private readonly state = h('span', { id: 'run-state', class: 'badge', role: 'status' }, STATE_NAMES.idle);
  private readonly task = h('span', { id: 'run-task', class: 'muted' });
  private readonly judged = card('judged', 'Metric');
  private readonly elapsed = card('elapsed', 'Elapsed');
  private readonly eta = card('eta', 'Time left');
  private readonly throughput = card('throughput', 'Throughput');
  private readonly progress = h('progress', { id: 'progress', max: 100, value: 0, 'aria-label': 'Run progress' });
  private readonly progressText = h('span', { id: 'progress-text' }, '0%');
  private readonly position = h('p', { id: 'position', class: 'position' });
  private readonly stage = h('p', { id: 'stage', class: 'position muted' });
  private readonly idleHint = h('p', { id: 'idle-hint', class: 'hint' },
    'Start a run with "NLP Studio: Fine-tune model" or "NLP Studio: Pretrain word vectors" (the ▷ on a config), and follow it here.');
  private readonly running: HTMLElement[];

  constructor() {
    const cards = h('dl', { class: 'cards' }, this.judged.element, this.elapsed.element, this.eta.element, this.throughput.element);
    const progressRow = h('div', { class: 'progress-row' }, this.progress, this.progressText);
    this.running = [this.state, cards, progressRow, this.position];
    this.element = h('header', { class: 'run-header' },
      h('div', { class: 'title-row' }, this.title, this.state, this.task, h('span', { class: 'spacer' }), this.useButton, this.stopButton),
      this.idleHint, cards, progressRow, this.position, this.stage);
  }

  /** `sinceEvent`: seconds since the last progress event arrived, so the clocks run between events. */
  render(model: RunModel, sinceEvent: number, options: { stopping: boolean; answersPredictions: boolean }): void {
    const { started, lastStep, caching, end } = model;
    const state = stateOf(model, options.stopping);
    this.idleHint.hidden = state !== 'idle';
    for (const element of this.running) element.hidden = state === 'idle';
    const summaryName = end?.kind === 'finished' ? end.summary['name'] : undefined;
    this.title.textContent = started?.name ?? (typeof summaryName === 'string' ? summaryName : end ? 'Run' : 'No run yet');
    this.state.textContent = STATE_NAMES[state];
    this.state.className = `badge ${state}`;
    this.task.textContent = started ? taskName(started.task) : '';
    this.useButton.hidden = !options.answersPredictions;

    const judgement = judge(started?.task, started?.metric, model.epochs, end?.kind === 'finished' ? numberOr(end.summary['bestEpoch']) : undefined);
    this.judged.label.textContent = judgement.spec.label;
    const { best, last } = judgement;
    this.judged.value.textContent = best ? judgement.spec.format(best.value) : '—';
    this.judged.detail.textContent = best && last
      ? `best, epoch ${best.epoch}${last.epoch !== best.epoch ? ` · latest ${judgement.spec.format(last.value)}, epoch ${last.epoch}` : ' · latest'}`
      : started ? 'after the first epoch' : '';

    const progressEvent = caching ?? lastStep;
    const running = model.running;
    const elapsedSeconds = end?.kind === 'finished' ? end.elapsedSeconds : progressEvent ? progressEvent.elapsedSeconds + (running ? sinceEvent : 0) : undefined;
    this.elapsed.value.textContent = formatDuration(elapsedSeconds, '—');
    this.elapsed.detail.textContent = started?.resumedFrom ? `resumed after epoch ${started.resumedFrom.epoch}` : '';
    this.eta.element.hidden = !running;
    const eta = progressEvent?.etaSeconds;
    this.eta.value.textContent = running && progressEvent ? formatEta(eta === undefined ? undefined : Math.max(0, eta - sinceEvent)) : formatEta(undefined);
    this.eta.detail.textContent = eta !== undefined && model.epochs.some((record) => record.validation) ? 'validation included' : '';
    this.throughput.element.hidden = !lastStep;
    this.throughput.value.textContent = lastStep ? `${formatNumber(Math.round(lastStep.throughput))} ${lastStep.throughputUnit}` : '—';
    this.throughput.detail.textContent = lastStep ? 'training steps only' : '';

    const done = end?.kind === 'finished' && end.status === 'completed';
    const percent = done ? 100 : Math.min(100, Math.max(0, (progressEvent?.progress ?? 0) * 100));
    this.progress.value = percent;
    this.progressText.textContent = `${percent.toFixed(percent < 10 && percent > 0 ? 1 : 0)}%`;
    this.position.textContent = started ? positionOf(model) : '';
    this.stage.textContent = stageOf(model);
    this.stage.hidden = this.stage.textContent === '';

    this.stopButton.hidden = !running;
    if (!running) {
      this.stopButton.disabled = true;
      this.stopButton.textContent = 'Stop';
    } else if (!options.stopping) this.stopButton.disabled = false;
  }
}

const numberOr = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** "Epoch 2 of 3 · step 1,234 of 5,678 · GPU: … through WebGPU" (the device, else the backend; word2vec counts words). */
function positionOf(model: RunModel): string {
  const { started, lastStep } = model;
  if (!started) return '';
  const epoch = lastStep?.epoch ?? model.epochs.at(-1)?.epoch ?? 0;
  const parts = [`Epoch ${epoch} of ${started.epochs}`];
  const done = lastStep?.step ?? model.epochs.at(-1)?.step ?? 0;
  parts.push(started.totalWords !== undefined ? `${formatNumber(done)} of ${plural(started.totalWords, 'word')}` : `step ${formatNumber(done)} of ${formatNumber(started.totalSteps)}`);
  if (started.backend) parts.push(started.backend.device ?? `backend ${started.backend.name}`);
  return parts.join(' · ');
}

/** "Stage head: trains pooler, classifier; frozen: embeddings, encoder.layer.0–1" (and caching progress). */
function stageOf(model: RunModel): string {
  const { lastStep, caching } = model;
  const step = lastStep?.step ?? 0;
  const name = caching?.stage ?? lastStep?.stage ?? model.stages.filter((s) => s.step <= step).at(-1)?.name;
  if (!name || (model.stages.length <= 1 && !model.stages[0]?.frozen)) return '';
  const frozen = model.stages.find((s) => s.name === name)?.frozen;
  const what = caching ? `computing the frozen features once: ${formatNumber(caching.done)} of ${plural(caching.total, 'example')}` : frozen !== 'none' ? frozen : undefined;
  return `Stage ${name}${what ? `: ${what}` : ''}`;
}
