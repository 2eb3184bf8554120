// What a training run reports while it runs: a tagged union of plain numbers and strings, no tensors.
// The engine emits these; the CLI prints them (`--json`: one per line), the extension forwards them to
// the training panel, and metrics.jsonl stores the step/epoch ones. One shape everywhere.

export type RunTask = 'text-classification' | 'word2vec';

/** Where something went wrong in a user's file, 1-based like compiler output. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export interface StageInfo {
  name: string;
  /** Global step at which this stage begins. */
  startStep: number;
  epochs: number;
}

export interface Neighbour {
  word: string;
  similarity: number;
}

/** The validation metrics a text-classification run can be judged by (`training.early_stopping.metric`). */
export type ValidationMetricName = 'macro_f1' | 'micro_f1' | 'accuracy' | 'loss';

export interface RunStarted {
  kind: 'started';
  runId: string;
  name: string;
  task: RunTask;
  runDir: string;
  /** Steps in the whole run (word2vec: progress is counted in words, see totalWords). */
  totalSteps: number;
  totalWords?: number;
  epochs: number;
  stages: StageInfo[];
  backend?: { name: string; reason: string; /** What it computes on, e.g. "GPU: NVIDIA H200 (vulkan) through WebGPU". */ device?: string };
  /** The validation metric the run is judged by: early stopping and the best model kept (text classification). */
  metric?: ValidationMetricName;
  /** Epoch/step this run resumes from, when it continues a checkpoint. */
  resumedFrom?: { epoch: number; step: number };
  startedAt: number;
}

export interface RunStep {
  kind: 'step';
  step: number;
  epoch: number;
  /**
   * 0..1 of the whole run, never decreasing. By time where steps differ in cost (a head training on
   * cached features takes a fraction of a full step), so a bar moves evenly; else steps (words) done.
   */
  progress: number;
  loss: number;
  learningRate: number;
  /** Per second of training steps alone: validation and checkpoints do not count. */
  throughput: number;
  throughputUnit: 'words/s' | 'samples/s';
  /** Seconds left, validation included; absent while the engine has too little to go on (the first steps). */
  etaSeconds?: number;
  stage?: string;
  elapsedSeconds: number;
}

export interface ValidationMetrics {
  loss: number;
  accuracy: number;
  macroF1: number;
  /** Multi-label models: F1 over every (example, label) decision. */
  microF1?: number;
}

export interface RunEpoch {
  kind: 'epoch';
  epoch: number;
  step: number;
  /** Mean training loss per prediction over the epoch (the same scale as RunStep.loss). */
  trainLoss: number;
  /** word2vec: the epoch's negative-sampling loss summed in float64 (the number gensim reports). */
  trainLossSum?: number;
  stage?: string;
  validation?: ValidationMetrics;
  /** Nearest neighbours of the configured watch words after this epoch (word2vec). */
  neighbours?: Record<string, Neighbour[]>;
  /** The tensor backend's memory after this epoch (tensor tasks): flat from epoch to epoch unless something leaks. */
  memory?: TensorMemory;
}

export interface TensorMemory {
  tensors: number;
  bytes: number;
  /** webgpu only: bytes of GPU buffers that hold tensors, and all the backend allocated (its pool included). */
  gpuBytes?: number;
  gpuBytesAllocated?: number;
}

export interface RunStageStarted {
  kind: 'stage';
  index: number;
  name: string;
  step: number;
  /** What the stage trains and what it keeps frozen, for people: "trains pooler, classifier; frozen: embeddings, encoder.layer.0–1". */
  frozen: string;
}

/**
 * A frozen stage's features being computed once, before its first step (text classification): `done`
 * of `total` examples through the frozen part of the model. Progress fields as in RunStep.
 */
export interface RunCaching {
  kind: 'caching';
  stage: string;
  done: number;
  total: number;
  progress: number;
  etaSeconds?: number;
  elapsedSeconds: number;
}

export interface RunCheckpoint {
  kind: 'checkpoint';
  path: string;
  epoch: number;
  step: number;
}

export interface RunLog {
  kind: 'log';
  level: 'info' | 'warning' | 'error';
  message: string;
  location?: SourceLocation;
}

/** Bytes of a pretrained model arriving from the Hugging Face Hub, over all the files it needs. */
export interface DownloadProgress {
  /** The Hub id, `org/name`. */
  repoId: string;
  /** The file now arriving. */
  file: string;
  receivedBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  /** Infinity until a rate is known. */
  etaSeconds: number;
  /** The last event of the download. */
  done: boolean;
}

/** A download before the run starts (so before `started`); cancelled by stopping the run. */
export interface RunDownload extends DownloadProgress {
  kind: 'download';
}

export interface RunFinished {
  kind: 'finished';
  /** 'stopped' when the user stopped the run (a checkpoint was saved first). */
  status: 'completed' | 'stopped';
  runDir: string;
  summary: Record<string, unknown>;
  elapsedSeconds: number;
}

export interface RunFailed {
  kind: 'failed';
  message: string;
  location?: SourceLocation;
  /** `unfinished-run`: the run folder holds the checkpoints of a run that did not complete; start again with resume, or fresh to discard them. */
  reason?: 'unfinished-run';
}

export type RunEvent = RunStarted | RunStep | RunEpoch | RunStageStarted | RunCaching | RunCheckpoint | RunLog | RunDownload | RunFinished | RunFailed;
export type RunEventKind = RunEvent['kind'];
