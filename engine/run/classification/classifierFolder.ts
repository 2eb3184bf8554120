// A trained classifier as a Hugging Face folder (what AutoModelForSequenceClassification loads), and
// the optimiser/early-stopping state a checkpoint adds beside it so a run resumes where it stopped.
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { encoderConfigToJson } from '../../../common/huggingface/architectures/encoderConfig';
import type { EncoderClassifier } from '../../models/encoderClassifier';
import { TOKENIZER_FILES, type HuggingfaceFolderFiles } from '../../../common/huggingface/modelFolderFiles';
import { decisionConfigJson, SINGLE_LABEL, type Decision } from '../../models/decision';
import { readSafetensors, writeSafetensors, type FloatTensor } from '../../models/safetensors';
import { writeFileAtomic } from '../../io/atomicWrite';
import type { EpochPosition, OptimizerSnapshot } from './classifierTraining';
import type { EarlyStoppingState } from '../../training/earlyStopping';

export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
const TRAINER_STATE_FILE = 'trainer-state.json';
const OPTIMIZER_FILE = 'optimizer.safetensors';

/**
 * Writes `dir` as a Hugging Face folder of the model's architecture (`BertForSequenceClassification`,
 * `RobertaForSequenceClassification`, …). Every file is written atomically, config.json last, so a
 * folder with a config.json is complete.
 */
export async function writeClassifierFolder(
  dir: string,
  model: EncoderClassifier,
  source: HuggingfaceFolderFiles,
  weights?: ReadonlyMap<string, FloatTensor>,
  decision: Decision = SINGLE_LABEL,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const name of TOKENIZER_FILES) {
    const content = await readFile(path.join(source.folder, name)).catch(() => undefined);
    if (content === undefined) continue;
    await writeFileAtomic(path.join(dir, name), content);
    written.push(name);
  }
  await writeSafetensors(path.join(dir, MODEL_FILE), weights ?? (await model.exportHuggingfaceState()), { format: 'pt' });
  await writeFileAtomic(path.join(dir, CONFIG_FILE), `${JSON.stringify({ ...encoderConfigToJson(model.config), ...decisionConfigJson(decision) }, null, 2)}\n`);
  return [...written, MODEL_FILE, CONFIG_FILE];
}

/** What a checkpoint needs beyond the model to continue the run exactly where it was saved. */
export interface TrainerState {
  /** Global epochs completed. */
  readonly epoch: number;
  readonly step: number;
  /**
   * A stop inside the next epoch: its steps done and running loss sums. Its batches follow from the
   * seed and the epoch, the learning rate from the step, and each step's dropout from the seed and the
   * step, so this is all the position there is.
   */
  readonly within?: EpochPosition;
  readonly earlyStopping: EarlyStoppingState | null;
  /** Early stopping ended the stage running at this epoch (a later stage, if any, starts next). */
  readonly stoppedEarly: boolean;
  /** The stages early stopping has ended so far. */
  readonly stagesEndedEarly?: readonly string[];
  /** Optimiser updates per parameter (the moments are in optimizer.safetensors). */
  readonly optimizerSteps: Record<string, number>;
}

export async function writeTrainerState(dir: string, state: Omit<TrainerState, 'optimizerSteps'>, optimizer: OptimizerSnapshot | undefined): Promise<void> {
  await writeSafetensors(path.join(dir, OPTIMIZER_FILE), optimizer?.tensors ?? new Map());
  await writeFileAtomic(path.join(dir, TRAINER_STATE_FILE), `${JSON.stringify({ ...state, optimizerSteps: optimizer?.steps ?? {} }, null, 2)}\n`);
}

export async function readTrainerState(dir: string): Promise<{ state: TrainerState; optimizer: OptimizerSnapshot }> {
  const state = JSON.parse(await readFile(path.join(dir, TRAINER_STATE_FILE), 'utf8')) as TrainerState;
  const { tensors } = await readSafetensors(path.join(dir, OPTIMIZER_FILE));
  return { state, optimizer: { tensors, steps: state.optimizerSteps } };
}
