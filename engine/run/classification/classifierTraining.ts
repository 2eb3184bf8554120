// The seam between the staged schedule (classificationTrainer.ts: stages, epochs, validation, early
// stopping, checkpoints, stop and resume, the best model) and how a model type computes: BERT through
// TensorFlow.js tensors (tensorTraining.ts), word-vector classifiers through their sparse multi-threaded
// kernel (sparseTraining.ts). Each model type's prepare function gives one.
import type { FloatTensor } from '../../models/safetensors';
import type { FreezePlan } from '../../training/freezeSpec';
import type { ScheduledStage } from '../../training/learningRateSchedule';
import type { Notice } from './classifierModel';
import type { Decision } from '../../models/decision';
import type { Evaluation } from '../../training/classifierScores';

export interface TrainingStage {
  readonly index: number;
  readonly scheduled: ScheduledStage;
  readonly plan: FreezePlan;
  /** While a stage computes features once: `done` of `total` examples in `ms` so far. */
  readonly caching?: (done: number, total: number, ms: number) => void;
}

/** How far an epoch has run: its steps done and the running sums of its training loss. */
export interface EpochPosition {
  readonly batches: number;
  /** Loss × examples summed over those steps (float64), and the examples. */
  readonly lossSum: number;
  readonly examples: number;
}

export interface EpochRun {
  /** 0-based, over the whole schedule. */
  readonly epoch: number;
  /** Global step of the epoch's first batch. */
  readonly firstStep: number;
  readonly stage: TrainingStage;
  /**
   * Continue the epoch from here (a run stopped inside it): its first `batches` steps are done and
   * their loss sums carried on. The batches are those of the seed and the epoch, and each step's
   * random draws (dropout) depend only on the seed and the step, so the rest is as if never stopped.
   */
  readonly from?: EpochPosition;
  /** Aborted when the run must stop: finish the current step and return. */
  readonly halt: AbortSignal;
  /** After some steps: the global step reached and the mean loss and example count of the steps since the last call. */
  onProgress(step: number, meanLoss: number, examples: number): void;
}

export interface EpochResult extends EpochPosition {
  /** False when `halt` ended it early. */
  readonly completed: boolean;
  /** The first step whose loss was not finite (the run then stops, writing no model). */
  readonly nonFinite?: { readonly step: number; readonly loss: number };
}

/** The optimiser's state in a checkpoint: tensors by name, and the update count of each parameter. */
export interface OptimizerSnapshot {
  readonly tensors: ReadonlyMap<string, FloatTensor>;
  readonly steps: Readonly<Record<string, number>>;
}

/** Writes a checkpoint's model, copied earlier, into a folder; returns its file names. */
export type CheckpointModelWriter = (dir: string) => Promise<string[]>;

export interface ClassifierTraining {
  /** Parameter names per freeze group, in model order (group names as training/freezeSpec knows them). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** What computes, for the `started` event: a TensorFlow.js backend, or the sparse kernel. */
  readonly backend: { readonly name: string; readonly reason: string };
  /** Prepares a stage (e.g. features below a frozen part computed once); returns what to tell the user. */
  startStage(stage: TrainingStage): Promise<Notice[]>;
  trainEpoch(run: EpochRun): Promise<EpochResult>;
  /** Scores the validation data in the current stage. */
  evaluate(decision: Decision): Promise<Evaluation>;
  /** After a stage's last epoch; returns what to tell the user. */
  endStage(): Notice[];
  /** For the ETA once a stage has started: the expected ms per step of later stages that train the whole model (undefined: no estimate). */
  laterMsPerStep(): number | undefined;
  /** What the run's summary.json adds about how it computed. */
  summary(): Record<string, unknown>;
  /**
   * The parameters, as a checkpoint needs them to restore (the sparse kernel: the rows that can train),
   * for the best epoch's state: a call may overwrite what the last one returned.
   */
  exportState(): Promise<Map<string, FloatTensor>>;
  importState(state: ReadonlyMap<string, FloatTensor>): void;
  /** Writes the model folder with the current parameters; returns its file names. */
  writeFolder(dir: string, decision: Decision): Promise<string[]>;
  /**
   * Copies a checkpoint's model now — only what resuming needs (no vectors.txt; the sparse kernel's
   * trainable rows, not all of them) — and returns its writer, which returns the file names: training
   * may go on while the copy is written. The copy may reuse the last one's arrays: call it once the
   * last writer has finished.
   */
  checkpointModel(decision: Decision): Promise<CheckpointModelWriter>;
  /** A copy of the optimiser state, taken now (for a checkpoint: a call may overwrite what the last one returned). */
  optimizerSnapshot(): Promise<OptimizerSnapshot>;
  /** Continues from a checkpoint folder: its model and the optimiser state saved with it. */
  restore(dir: string, optimizer: OptimizerSnapshot): Promise<void>;
  dispose(): Promise<void>;
}
