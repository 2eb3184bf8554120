// The extension ⇄ engine channel: JSON-RPC (vscode-jsonrpc) over Node IPC, the same requests,
// notifications and cancellation as LSP. Each message is typed once here; both sides import it.
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { Neighbour, RunEvent } from './runEvents';

export interface StartRunParams {
  /** Absolute path of the *.nlp.yaml config. */
  configPath: string;
  /** Continue from the run folder's last checkpoint instead of starting over. */
  resume?: boolean;
  /**
   * Id to tag this run's `run/event` notifications with (a fresh UUID when absent). Events, `started`
   * first, are sent before the answer to `run/start`: give an id to route them as they come.
   */
  runId?: string;
}

export interface StartRunResult {
  runId: string;
  runDir: string;
}

/**
 * extension → engine: start a run. Answers once the run has started; progress comes as `run/event`.
 * A run that fails before it starts (an invalid config, a task without a trainer) answers with a
 * ResponseError whose `data` is the `failed` event (with file:line when there is one).
 */
export const StartRunRequest = new RequestType<StartRunParams, StartRunResult, void>('run/start');

export interface StopRunParams {
  runId: string;
  /** 'checkpoint' saves a checkpoint at the next safe point and stops; 'abort' stops at once. */
  mode: 'checkpoint' | 'abort';
}

/** extension → engine: stop a run. Answers when the run has stopped. */
export const StopRunRequest = new RequestType<StopRunParams, void, void>('run/stop');

export interface RunEventParams {
  runId: string;
  event: RunEvent;
}

/** engine → extension: everything a run reports (progress, logs, checkpoints, the end). */
export const RunEventNotification = new NotificationType<RunEventParams>('run/event');

export interface NeighboursParams {
  /** A vectors.txt / vectors.bin file or a word2vec run folder. */
  vectorsPath: string;
  word: string;
  count: number;
}

export interface NeighboursResult {
  inVocabulary: boolean;
  neighbours: Neighbour[];
  vocabularySize: number;
}

/** extension → engine: nearest neighbours of a word; the engine keeps the vectors loaded. */
export const NeighboursRequest = new RequestType<NeighboursParams, NeighboursResult, void>('vectors/neighbours');

export interface ProjectionParams {
  vectorsPath: string;
  /** The N most frequent words to project. */
  count: number;
}

export interface ProjectionResult {
  words: string[];
  /** Interleaved x, y per word, from PCA of the centred vectors. */
  coordinates: number[];
  explainedVariance: [number, number];
  dimensions: number;
  vocabularySize: number;
}

/** extension → engine: a 2-D projection of the most frequent words, for the embedding explorer. */
export const ProjectionRequest = new RequestType<ProjectionParams, ProjectionResult, void>('vectors/projection');
