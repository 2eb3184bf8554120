// The extension ⇄ webview channel: postMessage between a panel host (extension/panels/) and its webview
// (webviews/<panel>/). Every message is typed once here, with the way it travels; each panel also owns
// the State it keeps with the webview's setState/getState, which the host's WebviewPanelSerializer
// receives back after a reload. Plain JSON only: no vscode, DOM or tfjs types.
import type { NeighboursResult, ProjectionResult } from './engine';
import type { RunCaching, RunEvent, RunStarted, RunTask, Neighbour, ValidationMetrics, ValidationMetricName } from './runEvents';

/** The webview panel types, as registered with `registerWebviewPanelSerializer`. */
export const TRAINING_PANEL_VIEW_TYPE = 'nlpStudio.trainingPanel';
export const EMBEDDING_EXPLORER_VIEW_TYPE = 'nlpStudio.embeddingExplorer';

// ───────────────────────────── training panel ─────────────────────────────

/** Loss curves of a run as columns (one entry per logged point, steps ascending). */
export interface LossSeries {
  step: number[];
  /**
   * Where each point lies in epochs (1.5: half-way through the second epoch), so runs whose step counts
   * differ can share an axis.
   */
  epoch: number[];
  /** Train loss at `step[i]`; null where only a validation loss was logged. */
  loss: (number | null)[];
  /** Validation loss at `step[i]`; null where none was logged. */
  validationLoss?: (number | null)[];
}

/** One class of a classification report (scikit-learn's definitions, zero_division=0). */
export interface ClassReportRow {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Validation examples whose true class this is. */
  support: number;
}

/**
 * The final validation results of a text-classification run, as the panel draws them: read from the
 * `finished` event's summary (live) or summary.json (history) by `parseClassificationReport`.
 */
export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  /** Class names, in id order: the rows and columns of the confusion matrix. */
  labels: string[];
  perClass: ClassReportRow[];
  /** Counts, rows = true class, columns = predicted class. */
  confusionMatrix: number[][];
}

/**
 * The classification report in a run summary, or undefined when it has none (word2vec, a stopped run,
 * no validation set) or its shape is not the one expected. Pure, so the host and tests share it.
 */
export function parseClassificationReport(summary: unknown): ClassificationReport | undefined {
  if (!isObject(summary) || !isObject(summary.validation)) return undefined;
  const { labels, perClass, confusionMatrix, validation } = summary;
  const { accuracy, macroF1 } = validation;
  if (!isFiniteNumber(accuracy) || !isFiniteNumber(macroF1)) return undefined;
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every((label) => typeof label === 'string')) return undefined;
  const names: string[] = labels;
  const n = names.length;
  if (!Array.isArray(confusionMatrix) || confusionMatrix.length !== n) return undefined;
  const matrix: number[][] = [];
  for (const row of confusionMatrix as unknown[]) {
    if (!Array.isArray(row) || row.length !== n || !row.every((count) => Number.isInteger(count) && (count as number) >= 0)) return undefined;
    matrix.push([...(row as number[])]);
  }
  if (!Array.isArray(perClass) || perClass.length !== n) return undefined;
  const rows: ClassReportRow[] = [];
  for (const [index, entry] of (perClass as unknown[]).entries()) {
    if (!isObject(entry)) return undefined;
    const { precision, recall, f1, support } = entry;
    if (!isFiniteNumber(precision) || !isFiniteNumber(recall) || !isFiniteNumber(f1) || !isFiniteNumber(support)) return undefined;
    rows.push({ label: typeof entry.label === 'string' ? entry.label : names[index]!, precision, recall, f1, support });
  }
  return { accuracy, macroF1, labels: [...names], perClass: rows, confusionMatrix: matrix };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** One epoch's end as metrics.jsonl records it: the numbers a run is judged and compared by. */
export interface EpochRecord {
  epoch: number;
  step: number;
  trainLoss: number;
  validation?: ValidationMetrics;
}

/** A config as rows: dotted keys (`training.stages[head].learning_rate`) to the value as written. */
export type ConfigRows = Record<string, string>;

/** One past run, as the host reads it from `<runDir>/summary.json`, `metrics.jsonl` and `config.resolved.yaml`. */
export interface RunHistoryEntry {
  name: string;
  runDir: string;
  task?: RunTask;
  /** When the run finished (or last wrote metrics), ms since the epoch. */
  date: number;
  status?: 'completed' | 'stopped' | 'failed';
  /** The validation metric the run was judged by (summary.json `metric`). */
  metric?: ValidationMetricName;
  /** Scheduled epochs, and how many ran (fewer when it stopped early or was stopped). */
  epochs?: number;
  epochsCompleted?: number;
  stoppedEarly?: boolean;
  elapsedSeconds?: number;
  /** Every finished epoch, in order. */
  epochRecords: EpochRecord[];
  series: LossSeries;
  /** The resolved config the run trained with; absent when the run folder has none. */
  config?: ConfigRows;
  /** Text classification that finished with a validation set: its confusion matrix and per-class table. */
  classification?: ClassificationReport;
}

/** host → training panel: one event of the run the panel shows (a new `started` resets the panel). */
export interface RunEventMessage {
  type: 'runEvent';
  runId: string;
  event: RunEvent;
}

/**
 * host → training panel: many events at once, in order: a replay of metrics.jsonl when the panel opens
 * on a run already under way, or a burst the host has batched. `replace` clears the panel first.
 */
export interface RunEventsMessage {
  type: 'runEvents';
  runId: string;
  events: RunEvent[];
  replace?: boolean;
}

/** host → training panel: the past runs to list (replaces the previous list). */
export interface RunHistoryMessage {
  type: 'history';
  runs: RunHistoryEntry[];
}

/**
 * host → training panel: the classification report of the run the panel shows, parsed from its
 * `finished` summary; posted after that event (live or in a replay), which it follows.
 */
export interface ClassificationReportMessage {
  type: 'classificationReport';
  runId: string;
  report: ClassificationReport;
}

/**
 * host → training panel, on ready and when they change: where the workspace is (paths are shown
 * relative to it) and which model answers "Predict on selection".
 */
export interface PanelContextMessage {
  type: 'context';
  workspaceFolders: string[];
  predictionModel?: string;
}

export type TrainingPanelInbound = RunEventMessage | RunEventsMessage | RunHistoryMessage | ClassificationReportMessage | PanelContextMessage;

/** training panel → host: the webview has loaded (or reloaded) and listens; post history and any replay now. */
export interface PanelReadyMessage {
  type: 'ready';
}

/** training panel → host: the user pressed Stop (the host stops the run with a checkpoint). */
export interface StopRunMessage {
  type: 'stop';
  runId: string;
}

/** training panel → host: the user asked to see a run folder or a file the run wrote. */
export interface RevealPathMessage {
  type: 'reveal';
  path: string;
}

/** training panel → host: the user wants this run's model to answer "Predict on selection". */
export interface UseForPredictionsMessage {
  type: 'useForPredictions';
  runDir: string;
}

export type TrainingPanelOutbound = PanelReadyMessage | StopRunMessage | RevealPathMessage | UseForPredictionsMessage;

/** Nearest neighbours of the watch words after one epoch (word2vec). */
export interface EpochNeighbours {
  epoch: number;
  neighbours: Record<string, Neighbour[]>;
}

/**
 * What the training panel keeps across reloads (setState/getState, and the serializer's `state`).
 * Series are columns with numbers rounded to 5 significant digits and thinned to at most
 * TRAINING_STATE_MAX_POINTS points, so the state stays small however long the run.
 */
export interface TrainingPanelState {
  version: 2;
  runId?: string;
  started?: RunStarted;
  /** step, train loss (null: none), validation loss (null: none), learning rate (null: none). */
  series: { step: number[]; loss: (number | null)[]; validationLoss: (number | null)[]; learningRate: (number | null)[] };
  /** The last step event, for progress, throughput, ETA, epoch and stage. */
  lastStep?: Extract<RunEvent, { kind: 'step' }>;
  /** Features being cached for a frozen stage, until its first step. */
  caching?: RunCaching;
  /** Every finished epoch of the run: the validation curves and the judged metric. */
  epochs: EpochRecord[];
  stages: { name: string; step: number; frozen?: string }[];
  logs: { level: 'info' | 'warning' | 'error'; message: string; location?: string }[];
  neighbours: EpochNeighbours[];
  end?: Extract<RunEvent, { kind: 'finished' | 'failed' }>;
  /** The current run's classification report, once it has finished. */
  classification?: ClassificationReport;
  /** runDir of the history entry whose results are shown instead of the current run's. */
  resultsOf?: string;
  /** EMA smoothing, 0 (none) .. 0.99. */
  smoothing: number;
  logX: boolean;
  /** runDirs of the history entries checked for the overlay. */
  compare: string[];
  /** The comparison's config table lists only the keys whose values differ. */
  onlyDifferences: boolean;
}

export const TRAINING_STATE_MAX_POINTS = 20_000;

// ───────────────────────────── embedding explorer ─────────────────────────────

/** host → explorer: the projection to show (replaces the current one). */
export interface ProjectionMessage {
  type: 'projection';
  /** The vectors file or run folder it came from: kept in state so the serializer can ask again. */
  vectorsPath: string;
  projection: ProjectionResult;
}

/** host → explorer: the answer to a `neighbours` request. */
export interface NeighboursAnswerMessage {
  type: 'neighbours';
  requestId: number;
  word: string;
  result: NeighboursResult;
}

/** host → explorer: a request failed or the projection could not be made. */
export interface ExplorerErrorMessage {
  type: 'error';
  requestId?: number;
  message: string;
}

export type EmbeddingExplorerInbound = ProjectionMessage | NeighboursAnswerMessage | ExplorerErrorMessage;

/** explorer → host: the webview has loaded and listens; post the projection now. */
export interface ExplorerReadyMessage {
  type: 'ready';
  /** From the restored state, when the webview was reloaded. */
  vectorsPath?: string;
}

/** explorer → host: nearest neighbours of `word` please (answered by a `neighbours` message, same requestId). */
export interface NeighboursRequestMessage {
  type: 'neighbours';
  requestId: number;
  word: string;
  count: number;
}

export type EmbeddingExplorerOutbound = ExplorerReadyMessage | NeighboursRequestMessage;

/** What the embedding explorer keeps across reloads; the projection itself is asked for again. */
export interface EmbeddingExplorerState {
  version: 1;
  vectorsPath?: string;
  /** View centre in projection coordinates and pixels per unit. */
  view?: { x: number; y: number; scale: number };
  selected?: string;
  neighbours?: { word: string; items: Neighbour[] };
  search?: string;
}
