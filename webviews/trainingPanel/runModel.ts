// The training panel's data: what the run has reported so far, kept as columns that the charts read
// directly and that thin out into the persisted State. No DOM here.
import {
  TRAINING_STATE_MAX_POINTS,
  type ClassificationReport,
  type EpochNeighbours,
  type EpochRecord,
  type TrainingPanelState,
} from '../../common/protocol/panels';
import type { RunCaching, RunEvent, RunStarted, RunStep } from '../../common/protocol/runEvents';

const MAX_LOGS = 500;

export class RunModel {
  runId: string | undefined;
  started: RunStarted | undefined;
  step: number[] = [];
  loss: (number | null)[] = [];
  validationLoss: (number | null)[] = [];
  learningRate: (number | null)[] = [];
  lastStep: RunStep | undefined;
  /** Features being cached for a frozen stage; cleared by the stage's first step. */
  caching: RunCaching | undefined;
  epochs: EpochRecord[] = [];
  stages: TrainingPanelState['stages'] = [];
  logs: TrainingPanelState['logs'] = [];
  neighbours: EpochNeighbours[] = [];
  end: TrainingPanelState['end'];
  /** The finished run's confusion matrix and per-class metrics (text classification with validation). */
  classification: ClassificationReport | undefined;
  /** Bumped whenever the columns change other than by appending: the charts redo their derived series. */
  revision = 0;

  get running(): boolean {
    return this.started !== undefined && this.end === undefined;
  }

  reset(runId: string | undefined): void {
    this.runId = runId;
    this.started = undefined;
    this.step = [];
    this.loss = [];
    this.validationLoss = [];
    this.learningRate = [];
    this.lastStep = undefined;
    this.caching = undefined;
    this.epochs = [];
    this.stages = [];
    this.logs = [];
    this.neighbours = [];
    this.end = undefined;
    this.classification = undefined;
    this.revision++;
  }

  apply(runId: string, event: RunEvent): void {
    if (event.kind === 'started') {
      this.reset(runId);
      this.started = event;
      this.stages = event.stages.map((stage) => ({ name: stage.name, step: stage.startStep }));
      return;
    }
    if (this.runId === undefined) this.runId = runId;
    switch (event.kind) {
      case 'step':
        this.lastStep = event;
        this.caching = undefined;
        this.point(event.step, { loss: event.loss, learningRate: event.learningRate });
        break;
      case 'caching':
        this.caching = event;
        break;
      case 'epoch':
        this.epochs = this.epochs.filter((record) => record.epoch < event.epoch);
        this.epochs.push({ epoch: event.epoch, step: event.step, trainLoss: event.trainLoss, ...(event.validation && { validation: event.validation }) });
        if (event.validation) this.point(event.step, { validationLoss: event.validation.loss });
        if (event.neighbours && Object.keys(event.neighbours).length > 0) {
          this.neighbours = this.neighbours.filter((n) => n.epoch !== event.epoch);
          this.neighbours.push({ epoch: event.epoch, neighbours: event.neighbours });
        }
        break;
      case 'stage': {
        const known = this.stages.find((stage) => stage.name === event.name);
        if (known) Object.assign(known, { step: event.step, frozen: event.frozen });
        else this.stages.push({ name: event.name, step: event.step, frozen: event.frozen });
        break;
      }
      case 'log':
        this.log(event.level, event.message, event.location && formatLocation(event.location));
        break;
      case 'checkpoint':
        break;
      case 'finished':
        this.end = event;
        break;
      case 'failed':
        this.end = event;
        this.log('error', event.message, event.location && formatLocation(event.location));
        break;
    }
  }

  /** The host's report for `runId`; ignored when the panel has moved on to another run. */
  setClassification(runId: string, report: ClassificationReport): void {
    if (this.runId === undefined) this.runId = runId;
    if (runId === this.runId) this.classification = report;
  }

  private log(level: 'info' | 'warning' | 'error', message: string, location: string | undefined): void {
    this.logs.push(location === undefined ? { level, message } : { level, message, location });
    if (this.logs.length > MAX_LOGS) this.logs.splice(0, this.logs.length - MAX_LOGS);
  }

  /** Sets values at `step`: appended when it is past the last step (the usual case), else merged in place. */
  private point(step: number, values: { loss?: number; validationLoss?: number; learningRate?: number }): void {
    const n = this.step.length;
    let index: number;
    if (n === 0 || step > this.step[n - 1]!) {
      index = n;
      this.step.push(step);
      this.loss.push(null);
      this.validationLoss.push(null);
      this.learningRate.push(null);
    } else {
      index = lowerBound(this.step, step);
      if (this.step[index] !== step) {
        this.step.splice(index, 0, step);
        this.loss.splice(index, 0, null);
        this.validationLoss.splice(index, 0, null);
        this.learningRate.splice(index, 0, null);
      }
      this.revision++;
    }
    if (values.loss !== undefined) this.loss[index] = finiteOrNull(values.loss);
    if (values.validationLoss !== undefined) this.validationLoss[index] = finiteOrNull(values.validationLoss);
    if (values.learningRate !== undefined) this.learningRate[index] = finiteOrNull(values.learningRate);
  }

  get hasValidation(): boolean {
    return this.validationLoss.some((v) => v !== null);
  }

  /** The persisted form: columns thinned to TRAINING_STATE_MAX_POINTS, numbers to 5 significant digits. */
  toState(view: Pick<TrainingPanelState, 'smoothing' | 'logX' | 'compare' | 'resultsOf' | 'onlyDifferences'>): TrainingPanelState {
    const keep = thin(this.step.length, TRAINING_STATE_MAX_POINTS, (i) => this.validationLoss[i] !== null);
    const pick = (column: (number | null)[]): (number | null)[] => keep.map((i) => round(column[i] ?? null));
    return {
      version: 2,
      ...(this.runId !== undefined && { runId: this.runId }),
      ...(this.started && { started: this.started }),
      series: {
        step: keep.map((i) => this.step[i]!),
        loss: pick(this.loss),
        validationLoss: pick(this.validationLoss),
        learningRate: pick(this.learningRate),
      },
      ...(this.lastStep && { lastStep: this.lastStep }),
      ...(this.caching && { caching: this.caching }),
      epochs: this.epochs,
      stages: this.stages,
      logs: this.logs,
      neighbours: this.neighbours,
      ...(this.end && { end: this.end }),
      ...(this.classification && { classification: this.classification }),
      ...view,
    };
  }

  restore(state: TrainingPanelState): void {
    this.reset(state.runId);
    this.started = state.started;
    this.step = [...state.series.step];
    this.loss = [...state.series.loss];
    this.validationLoss = [...state.series.validationLoss];
    this.learningRate = [...state.series.learningRate];
    this.lastStep = state.lastStep;
    this.caching = state.caching;
    this.epochs = state.epochs;
    this.stages = state.stages;
    this.logs = state.logs;
    this.neighbours = state.neighbours;
    this.end = state.end;
    this.classification = state.classification;
  }
}

export function isTrainingPanelState(value: unknown): value is TrainingPanelState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Partial<TrainingPanelState>;
  return state.version === 2 && Array.isArray(state.series?.step) && Array.isArray(state.stages) && Array.isArray(state.epochs);
}

function formatLocation(location: { file: string; line?: number; column?: number }): string {
  return [location.file, location.line, location.column].filter((part) => part !== undefined).join(':');
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function round(value: number | null): number | null {
  return value === null ? null : Number(value.toPrecision(5));
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Indices to keep of `n` points: every k-th so at most about `max` remain, plus the last and every `always(i)`. */
function thin(n: number, max: number, always: (i: number) => boolean): number[] {
  const stride = Math.max(1, Math.ceil(n / max));
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (i % stride === 0 || i === n - 1 || always(i)) keep.push(i);
  return keep;
}

/**
 * Exponential moving average with TensorBoard's debiasing, computed incrementally: `update` extends it
 * over values appended since the last call; nulls pass through.
 */
export class Ema {
  values: (number | null)[] = [];
  private last = 0;
  private count = 0;

  constructor(readonly weight: number) {}

  update(source: (number | null)[]): (number | null)[] {
    const w = this.weight;
    for (let i = this.values.length; i < source.length; i++) {
      const v = source[i];
      if (v === null || v === undefined) {
        this.values.push(null);
        continue;
      }
      this.last = this.last * w + (1 - w) * v;
      this.count++;
      this.values.push(w === 0 ? v : this.last / (1 - Math.pow(w, this.count)));
    }
    return this.values;
  }
}
