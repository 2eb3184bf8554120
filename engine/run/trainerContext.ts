// What a task's trainer gets from the run and gives back: the seam between the run and each task.
import type { RunEvent, RunStarted, RunStep } from '../../common/protocol/runEvents';
import type { Output } from '../../common/schema/config.generated';
import type { BackendChoice } from '../backend/selectBackend';
import type { LoadedConfig } from '../config/loadConfig';
import type { ResolvedConfig } from '../config/resolvedConfig';
import type { Checkpoint, CheckpointRecord } from './checkpoints';
import type { RunFolder } from './runFolder';

/** The fields of `started` only the trainer knows (the run fills in id, name, task, folder, time). */
export type StartInfo = Omit<RunStarted, 'kind' | 'runId' | 'name' | 'task' | 'runDir' | 'startedAt'>;

export interface TrainerContext {
  loaded: LoadedConfig;
  config: ResolvedConfig;
  folder: RunFolder;
  /**
   * Where the trainer writes the finished model's files (under the names they have in the run folder):
   * a staging folder the run swaps into the run folder as one unit when the trainer returns completed.
   */
  modelDir: string;
  /**
   * The TensorFlow.js backend the run selected from `backend:` (already current), for tasks that
   * compute with tensors; report it in `started`. Absent for tasks with their own kernels (word2vec).
   */
  tensorBackend?: BackendChoice;
  /** The checkpoint to continue from (`resume`), already checked to exist. */
  resumeFrom: Checkpoint | undefined;
  /** Stop at the next step boundary: save a checkpoint there, then return status 'stopped' (see stopAndResume.ts). */
  stopSignal: AbortSignal;
  /** Stop at once, no checkpoint. */
  abortSignal: AbortSignal;
  /** Emits `started`; call once, when the trainer knows the run's size. */
  started(info: StartInfo): void;
  /** Reports progress; `epoch` events are also rows of metrics.jsonl. */
  emit(event: Exclude<RunEvent, RunStarted | { kind: 'finished' } | { kind: 'failed' }>): void;
  /** Writes a step row to metrics.jsonl (which steps is the task's choice: `training.log_every_steps` for classifiers). */
  logStep(event: RunStep): void;
  /**
   * Where the checkpoint after `epoch` epochs is saved, or, with `step`, the one a stop writes inside
   * the next epoch at that global step; `recordCheckpoint` (with `withinEpoch` for the latter) then
   * records it, prunes old ones and emits `checkpoint`.
   */
  checkpointPath(epoch: number, step?: number): string;
  recordCheckpoint(record: Omit<CheckpointRecord, 'model' | 'elapsedSeconds'>): Promise<void>;
  /** The newest complete checkpoint in the run folder. */
  latestCheckpoint(): Promise<Checkpoint | undefined>;
  /** Seconds since the run began, over resumes. */
  elapsedSeconds(): number;
  now(): number;
  progressIntervalMs: number;
}

export interface TrainerResult {
  status: 'completed' | 'stopped';
  summary: Record<string, unknown>;
}

/** One task: the model formats it writes by default and how it trains. */
export interface TaskTrainer {
  defaultFormats: NonNullable<Output['formats']>;
  /** Computes with TensorFlow.js tensors for this config: the run selects the config's `backend` first. */
  usesTensorBackend(config: ResolvedConfig): boolean;
  train(context: TrainerContext): Promise<TrainerResult>;
}
