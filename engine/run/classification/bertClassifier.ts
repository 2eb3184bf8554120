// `model.type: bert`: a pretrained BERT-family encoder (BERT, DistilBERT, RoBERTa, XLM-RoBERTa, ELECTRA)
// from a local Hugging Face folder with a new head for the run's labels, behind the trainer's ClassifierModel interface (bertClassifierModel.ts).
import * as tf from '@tensorflow/tfjs';
import type { LabelledData } from '../../data/labelledData';
import { tokenizeExamples } from '../../data/tokenizedExamples';
import { maxSequenceLength } from '../../../common/huggingface/architectures/encoderConfig';
import { EncoderClassifier } from '../../models/encoderClassifier';
import { loadEncoderClassifier, type LoadedEncoderClassifier } from '../../models/huggingfaceFolder';
import { locatePretrained, type PretrainedLocation } from '../../hub/pretrainedModel';
import { RunError } from '../runError';
import type { TrainerContext } from '../trainerContext';
import type { Notice, PreparedModel } from './classifierModel';
import { bertClassifierModel } from './bertClassifierModel';
import { tensorTraining } from './tensorTraining';
import { sectionOf } from '../../config/resolvedConfig';


/**
 * The folder `model.pretrained` names: local, or a Hub id from the Hugging Face cache, downloaded first
 * when missing (progress as `download` events; stopping the run cancels it).
 */
async function locatePretrainedModel(context: TrainerContext, reference: string): Promise<PretrainedLocation> {
  try {
    return await locatePretrained(reference, {
      baseDir: context.loaded.folder,
      revision: context.config.model?.revision,
      signal: AbortSignal.any([context.stopSignal, context.abortSignal]),
      onProgress: (progress) => context.emit({ kind: 'download', ...progress }),
    });
  } catch (error) {
    throw new RunError(error instanceof Error ? error.message : String(error), ['model', 'pretrained']);
  }
}

/** The pretrained folder (or a checkpoint's), with the head sized for `labels`. */
export async function loadBertModel(context: TrainerContext, reference: string, labels: readonly string[]): Promise<LoadedEncoderClassifier> {
  try {
    return await loadEncoderClassifier(reference, { baseDir: context.loaded.folder, labels, seed: context.config.seed });
  } catch (error) {
    throw new RunError(error instanceof Error ? error.message : String(error), ['model', 'pretrained']);
  }
}

export async function prepareBert(context: TrainerContext, data: LabelledData): Promise<PreparedModel> {
  const { config } = context;
  const pretrained = config.model?.pretrained;
  if (pretrained === undefined) throw new RunError('model.pretrained is required for a bert classifier: a local folder in Hugging Face layout', ['model']);
  const labels = data.labels.names;
  const location = await locatePretrainedModel(context, pretrained);
  const notices: Notice[] = location.notices.map((message) => ({ level: 'warning', message }));
  let loaded = await loadBertModel(context, location.folder, labels);
  for (const notice of loaded.notices) notices.push({ level: 'info', message: notice });
  const dropout = config.model?.dropout;
  if (dropout !== undefined && dropout !== loaded.config.classifierDropout) {
    // The head's dropout is part of the model's config: rebuild with it (the weights are copied).
    const modelConfig = { ...loaded.config, classifierDropout: dropout };
    const rebuilt = EncoderClassifier.fromCheckpoint(modelConfig, await loaded.model.exportHuggingfaceState()).model;
    loaded.model.dispose();
    loaded = { ...loaded, config: modelConfig, model: rebuilt };
  }

  const wanted = config.data.max_length;
  const maxLength = Math.min(wanted, maxSequenceLength(loaded.config));
  if (maxLength < wanted) notices.push({ level: 'info', message: `data.max_length ${wanted} is more than the model's ${maxLength} positions; texts are truncated to ${maxLength} tokens.` });
  const tokenizeOptions = { maxLength, ...(data.multiLabel ? { multiLabelClasses: labels.length } : {}) };
  const train = tokenizeExamples(data.train, loaded.tokenizer, tokenizeOptions);
  const validation = data.validation.length > 0 ? tokenizeExamples(data.validation, loaded.tokenizer, tokenizeOptions) : undefined;
  const source = loaded.files;
  const training = tensorTraining({
    model: bertClassifierModel(loaded.model, source),
    train,
    validation,
    labels,
    multiLabel: data.multiLabel,
    training: sectionOf(config, 'training'),
    seed: config.seed,
    backend: context.tensorBackend ?? { name: tf.getBackend(), reason: 'TensorFlow.js backend of the engine process' },
    load: async (dir) => bertClassifierModel((await loadBertModel(context, dir, labels)).model, source),
    now: () => context.now(),
  });
  return {
    training,
    train,
    validation,
    maxLength,
    description: `${loaded.model.architecture.displayName} with ${loaded.config.numHiddenLayers} layers, hidden size ${loaded.config.hiddenSize}, from ${source.folder}`,
    notices,
  };
}
