// A TensorFlow.js classifier as training and prediction both use it: named variables in freeze groups,
// the logits of a batch, the cached-features path for stages that freeze everything below the head, and
// its folder. BERT-family models provide one (bertClassifierModel.ts), trained by tensorTraining.ts and
// predicting through models/textClassifier.ts; the word-vector classifier trains on its sparse kernel
// instead (sparseTraining.ts). Each `model.type` prepares its PreparedModel (MODEL_TYPES in prepareClassification.ts).
import type * as tf from '@tensorflow/tfjs';
import type { RunLog } from '../../../common/protocol/runEvents';
import type { LabelledData } from '../../data/labelledData';
import type { TokenBatch } from '../../data/tokenBatches';
import type { TokenizedExamples } from '../../data/tokenizedExamples';
import type { Decision } from '../../models/decision';
import type { FloatTensor } from '../../models/safetensors';
import type { TrainerContext } from '../trainerContext';
import type { ClassifierTraining } from './classifierTraining';

/** The head alone, on features the frozen layers below it compute once for the whole stage. */
export interface FrozenFeatures {
  /** Width of a feature row. */
  readonly size: number;
  /** For the log, e.g. "the encoder is frozen, so its [CLS] features". */
  readonly description: string;
  /** Features of a batch through the frozen layers, in evaluation mode (call inside tf.tidy). */
  encode(batch: TokenBatch): tf.Tensor2D;
  /** Logits from features through the head (call inside tf.tidy). */
  head(features: tf.Tensor2D, training: boolean): tf.Tensor2D;
}

export interface ClassifierModel {
  /** Every parameter by its exported name (the names AdamW keys its state by). */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Parameter names per freeze group, in model order (group names as training/freezeSpec knows them). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** Used in a stage whose freeze plan has `encoderFrozen`. */
  readonly frozenFeatures: FrozenFeatures;
  /** Logits of a token batch through the whole model (call inside tf.tidy); `training` turns dropout on. */
  logits(batch: TokenBatch, training: boolean): tf.Tensor2D;
  /** The parameters, as the folder stores them (copies). */
  exportState(): Promise<Map<string, FloatTensor>>;
  /** Overwrites parameters with `state` from `exportState` (the best epoch's). */
  importState(state: ReadonlyMap<string, FloatTensor>): void;
  /** Writes the model folder (with `state` instead of the current parameters when given); returns file names. */
  writeFolder(dir: string, state?: ReadonlyMap<string, FloatTensor>, decision?: Decision): Promise<string[]>;
  dispose(): void;
}

export type Notice = Omit<RunLog, 'kind'>;

/** A model ready to train, with the data tokenised for it. */
export interface PreparedModel {
  /** How it trains: the parameters, a step, validation, its folder. */
  readonly training: ClassifierTraining;
  readonly train: TokenizedExamples;
  readonly validation: TokenizedExamples | undefined;
  readonly maxLength: number;
  /** The model in a phrase for the run's first log line, e.g. "BERT with 2 layers, hidden size 32, from …". */
  readonly description: string;
  /** Told to the user once the run has started. */
  readonly notices: Notice[];
}

/** Builds the model of one `model.type` for the run's labelled data. */
export type PrepareModel = (context: TrainerContext, data: LabelledData) => Promise<PreparedModel>;
