// A trained classifier as a Hugging Face folder (what AutoModelForSequenceClassification loads), and
// the optimiser/early-stopping state a checkpoint adds beside it so a run resumes at an epoch boundary.
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { encoderConfigToJson } from '../../../common/huggingface/architectures/encoderConfig';
import type { EncoderClassifier } from '../../models/encoderClassifier';
import { TOKENIZER_FILES, type HuggingfaceFolderFiles } from '../../../common/huggingface/modelFolderFiles';
import { readSafetensors, writeSafetensors, type FloatTensor } from '../../models/safetensors';
import { writeFileAtomic } from '../../io/atomicWrite';
import type { AdamWState } from '../../training/adamW';
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
export async function writeClassifierFolder(dir: string, model: EncoderClassifier, source: HuggingfaceFolderFiles, weights?: ReadonlyMap<string, FloatTensor>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const name of TOKENIZER_FILES) {
    const content = await readFile(path.join(source.folder, name)).catch(() => undefined);
    if (content === undefined) continue;
    await writeFileAtomic(path.join(dir, name), content);
    written.push(name);
  }
  await writeSafetensors(path.join(dir, MODEL_FILE), weights ?? (await model.exportHuggingfaceState()), { format: 'pt' });
  await writeFileAtomic(path.join(dir, CONFIG_FILE), `${JSON.stringify(encoderConfigToJson(model.config), null, 2)}\n`);
  return [...written, MODEL_FILE, CONFIG_FILE];
}

/** What a checkpoint needs beyond the model to continue the run exactly where the epoch ended. */
export interface TrainerState {
  /** Global epochs completed. */
  readonly epoch: number;
  readonly step: number;
  readonly earlyStopping: EarlyStoppingState | null;
  /** Early stopping decided to end the run at this epoch. */
  readonly stoppedEarly: boolean;
  /** Optimiser updates per parameter (the moments are in optimizer.safetensors). */
  readonly optimizerSteps: Record<string, number>;
}

export async function writeTrainerState(dir: string, state: TrainerState, optimizer: AdamWState | undefined): Promise<void> {
  const tensors = new Map<string, FloatTensor>();
  for (const entry of optimizer?.parameters ?? []) {
    tensors.set(`m.${entry.name}`, { shape: entry.shape, data: entry.m });
    tensors.set(`v.${entry.name}`, { shape: entry.shape, data: entry.v });
  }
  const optimizerSteps = Object.fromEntries((optimizer?.parameters ?? []).map((entry) => [entry.name, entry.step]));
  await writeSafetensors(path.join(dir, OPTIMIZER_FILE), tensors);
  await writeFileAtomic(path.join(dir, TRAINER_STATE_FILE), `${JSON.stringify({ ...state, optimizerSteps }, null, 2)}\n`);
}

export async function readTrainerState(dir: string): Promise<{ state: TrainerState; optimizer: AdamWState }> {
  const state = JSON.parse(await readFile(path.join(dir, TRAINER_STATE_FILE), 'utf8')) as TrainerState;
  const { tensors } = await readSafetensors(path.join(dir, OPTIMIZER_FILE));
  const parameters = Object.entries(state.optimizerSteps).map(([name, step]) => {
    const m = tensors.get(`m.${name}`);
    const v = tensors.get(`v.${name}`);
    if (m === undefined || v === undefined) throw new Error(`${dir}: the optimiser state of ${name} is missing`);
    return { name, step, shape: m.shape, m: m.data, v: v.data };
  });
  return { state, optimizer: { parameters } };
}
