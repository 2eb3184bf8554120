// `model.type: bert`: a pretrained BERT-family encoder (BERT, DistilBERT, RoBERTa, XLM-RoBERTa, ELECTRA)
// from a local Hugging Face folder with a new head for the run's labels, behind the trainer's ClassifierModel interface.
import * as tf from '@tensorflow/tfjs';
import type { LabelledData } from '../../data/labelledData';
import { tokenizeExamples } from '../../data/tokenizedExamples';
import { maxSequenceLength } from '../../../common/huggingface/architectures/encoderConfig';
import { parameterSpecs } from '../../../common/huggingface/architectures/parameterSpecs';
import { EncoderClassifier } from '../../models/encoderClassifier';
import { loadEncoderClassifier, type LoadedEncoderClassifier } from '../../models/huggingfaceFolder';
import type { HuggingfaceFolderFiles } from '../../../common/huggingface/modelFolderFiles';
import type { FloatTensor } from '../../models/safetensors';
import { locatePretrained, type PretrainedLocation } from '../../hub/pretrainedModel';
import { RunError } from '../runError';
import type { TrainerContext } from '../trainerContext';
import { batchLogits, clsFeatures, headLogits } from './bertHead';
import type { ClassifierModel, Notice, PreparedModel } from './classifierModel';
import { tensorTraining } from './tensorTraining';
import { writeClassifierFolder } from './classifierFolder';

const DEFAULT_MAX_LENGTH = 128;

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

/** A BERT-family classifier as the trainer sees it; `source` is the folder its tokenizer files are copied from. */
export function bertClassifierModel(model: EncoderClassifier, source: HuggingfaceFolderFiles): ClassifierModel {
  const specs = parameterSpecs(model.config);
  const groups = new Map<string, string[]>();
  for (const spec of specs) groups.set(spec.group, [...(groups.get(spec.group) ?? []), spec.name]);
  return {
    variables: model.variables,
    groups,
    frozenFeatures: {
      size: model.config.hiddenSize,
      description: `the encoder is frozen, so its ${model.architecture.tokens.special.cls} features`,
      encode: (batch) => clsFeatures(model, batch),
      head: (features, training) => headLogits(model, features, training),
    },
    logits: (batch, training) => batchLogits(model, batch, training),
    exportState: () => model.exportHuggingfaceState(),
    importState(state: ReadonlyMap<string, FloatTensor>) {
      const linear = new Set(specs.filter((spec) => spec.linear).map((spec) => spec.name));
      for (const [name, tensor] of state) {
        const variable = model.variables.get(name);
        if (variable === undefined) continue;
        tf.tidy(() => {
          const stored = tf.tensor(tensor.data, [...tensor.shape], 'float32');
          variable.assign(linear.has(name) ? stored.transpose() : stored);
        });
      }
    },
    writeFolder: (dir, state, decision) => writeClassifierFolder(dir, model, source, state, decision),
    dispose: () => model.dispose(),
  };
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

  const wanted = config.data.max_length ?? DEFAULT_MAX_LENGTH;
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
    training: config.training ?? {},
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
