// The extension ⇄ engine channel: JSON-RPC (vscode-jsonrpc) over Node IPC, the same requests,
// notifications and cancellation as LSP. Each message is typed once here; both sides import it.
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { PipelineTask } from '../huggingface/pipelineTasks';
import type { Neighbour, RunEvent } from './runEvents';

export interface StartRunParams {
  /** Absolute path of the *.nlp.yaml config. */
  configPath: string;
  /** Continue from the run folder's last checkpoint instead of starting over. */
  resume?: boolean;
  /** Start over in a folder holding an unfinished run's checkpoints, discarding them (without it the run is refused, reason `unfinished-run`). */
  fresh?: boolean;
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

export interface ClassifierPredictParams {
  /** A text-classifier folder: a text-classification run folder or a Hugging Face model folder. */
  modelPath: string;
  texts: string[];
}

export interface ClassifierPrediction {
  /** The most probable class. */
  label: string;
  /**
   * Probabilities in the order of `ClassifierPredictResult.labels`: they sum to 1, except for a
   * multi-label model, where each is its label's own (sigmoid).
   */
  probabilities: number[];
  /** Multi-label models: every label whose probability reaches the threshold (maybe none). */
  labels?: string[];
}

export interface ClassifierPredictResult {
  /** The model's classes, by id. */
  labels: string[];
  /** config.json's model_type, e.g. `bert`. */
  modelType: string;
  /** What computed the predictions: "onnxruntime 1.30.0 (onnx/model.onnx)" where the folder has an ONNX export, else "TensorFlow.js (wasm)". */
  runtime: string;
  /** A multi-label model (config.json's problem_type) and the threshold its labels are decided at. */
  multiLabel?: { threshold: number };
  /** One per text, in order. */
  predictions: ClassifierPrediction[];
}

/** extension → engine: classify texts; the engine keeps recently used classifiers loaded. */
export const ClassifierPredictRequest = new RequestType<ClassifierPredictParams, ClassifierPredictResult, void>('classifier/predict');

export interface PipelineParams {
  /** A local folder transformers.js can run: config.json, tokenizer files, onnx/*.onnx. */
  modelPath: string;
  task: PipelineTask;
  texts: string[];
  /** zero-shot-classification: the labels to score each text against. */
  candidateLabels?: string[];
  /** fill-mask: how many fills to give (5 when absent). */
  topK?: number;
}

export interface ScoredLabel {
  label: string;
  score: number;
}

/** An entity found by a token classifier: its label group (`PER` from `B-PER`/`I-PER`), where it is in the text, and its mean token score. */
export interface PipelineEntity {
  group: string;
  /** The text's characters [start, end). */
  start: number;
  end: number;
  text: string;
  score: number;
}

export interface MaskFill {
  /** The token put in place of the mask, as decoded. */
  token: string;
  score: number;
  /** The text with the mask filled. */
  sequence: string;
}

/** One text's answer, by task. */
export type PipelineOutput =
  | { task: 'text-classification'; scores: ScoredLabel[] }
  | { task: 'token-classification'; entities: PipelineEntity[] }
  | { task: 'fill-mask'; fills: MaskFill[] }
  | { task: 'zero-shot-classification'; scores: ScoredLabel[] };

export interface PipelineResult {
  task: PipelineTask;
  /** config.json's model_type. */
  modelType: string;
  /** "transformers.js 4.3.1 on onnxruntime 1.30.0 (onnx/model.onnx)". */
  runtime: string;
  /** One per text, in order; scores best first. */
  outputs: PipelineOutput[];
}

/** extension → engine: run a transformers.js pipeline on texts; the engine keeps recently used pipelines loaded. */
export const PipelineRequest = new RequestType<PipelineParams, PipelineResult, void>('pipeline/run');

export interface ClassifierEvaluateParams {
  modelPath: string;
  /** A labelled CSV, TSV or JSONL file. */
  dataPath: string;
  /** The column (CSV/TSV) or field (JSONL) of the text; `text` when absent. */
  textColumn?: string;
  /** The column or field of the label; `label` when absent. */
  labelColumn?: string;
  /** The file's format when its extension does not say. */
  format?: 'csv' | 'tsv' | 'jsonl';
  /** Multi-label models: what separates a CSV/TSV cell's labels; `|` when absent. */
  labelSeparator?: string;
}

export interface ClassMetricsResult {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Examples whose true class this is. */
  support: number;
}

export interface SkippedLine {
  file: string;
  /** 1-based. */
  line: number;
  reason: string;
}

export interface ClassifierEvaluation {
  modelPath: string;
  dataPath: string;
  modelType: string;
  labels: string[];
  /** Examples scored. */
  count: number;
  /** Multi-label models: exact-match accuracy (every label right). */
  accuracy: number;
  macroF1: number;
  /** F1 of all decisions pooled (the accuracy, for single-label models). */
  microF1: number;
  /** Mean cross-entropy of the true class (multi-label: the binary cross-entropy per label). */
  loss: number;
  perClass: ClassMetricsResult[];
  /** Single-label models: rows = true class, columns = predicted class, in label order. */
  confusionMatrix?: number[][];
  /** Multi-label models: the threshold the labels were decided at. */
  threshold?: number;
  /** Lines that could not be read and were skipped: how many, and the first of them. */
  badLines: { count: number; lines: SkippedLine[] };
}

/** The `data` of a classifier request's ResponseError when a data file is to blame. */
export interface DataErrorLocation {
  file: string;
  /** 1-based; absent when the file as a whole is the problem. */
  line?: number;
}

/**
 * extension → engine: score a classifier on a labelled file. A label the model does not know, or a
 * file that cannot be read, answers with a ResponseError whose `data` is the DataErrorLocation to blame.
 */
export const ClassifierEvaluateRequest = new RequestType<ClassifierEvaluateParams, ClassifierEvaluation, void>('classifier/evaluate');

export interface EnvironmentReportParams {
  /** Folders the optional Node bindings (@tensorflow/tfjs-node, -gpu) may be installed in: the workspace folders. */
  searchFrom: string[];
}

export interface EnvironmentReportResult {
  /** The report for a person (Markdown), as `nlp-studio env` prints it. */
  markdown: string;
  /** The backend `backend: auto` picks here, what it computes on, and why; absent when none works. */
  auto?: { name: string; device: string; reason: string };
}

/** extension → engine: "Check training environment" — WebGPU, bindings, CUDA/cuDNN, WebAssembly, the `auto` backend. */
export const EnvironmentReportRequest = new RequestType<EnvironmentReportParams, EnvironmentReportResult, void>('environment/report');
