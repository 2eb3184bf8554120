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
  /** Epoch/step this run resumes from, when it continues a checkpoint. */
  resumedFrom?: { epoch: number; step: number };
  startedAt: number;
}

export interface RunStep {
  kind: 'step';
  step: number;
  epoch: number;
  /** 0..1 of the whole run. */
  progress: number;
  loss: number;
  learningRate: number;
  throughput: number;
  throughputUnit: 'words/s' | 'samples/s';
  etaSeconds: number;
  stage?: string;
  elapsedSeconds: number;
}

export interface ValidationMetrics {
  loss: number;
  accuracy: number;
  macroF1: number;
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
  frozen: string;
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
}

export type RunEvent = RunStarted | RunStep | RunEpoch | RunStageStarted | RunCheckpoint | RunLog | RunFinished | RunFailed;
export type RunEventKind = RunEvent['kind'];
