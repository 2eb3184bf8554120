// `model.type: bert`: a pretrained BERT-family encoder from a local Hugging Face folder with a new
// head for the run's labels, behind the trainer's ClassifierModel interface.
import * as tf from '@tensorflow/tfjs';
import type { LabelledData } from '../../data/labelledData';
import { tokenizeExamples } from '../../data/tokenizedExamples';
import { BertForSequenceClassification, bertParameterSpecs } from '../../models/bert';
import { loadBertClassifier, type HuggingfaceFolderFiles, type LoadedBertClassifier } from '../../models/huggingfaceFolder';
import type { FloatTensor } from '../../models/safetensors';
import { RunError } from '../runError';
import type { TrainerContext } from '../trainerContext';
import { batchLogits, clsFeatures, headLogits } from './bertHead';
import type { ClassifierModel, Notice, PreparedModel } from './classifierModel';
import { tensorTraining } from './tensorTraining';
import { writeClassifierFolder } from './classifierFolder';

const DEFAULT_MAX_LENGTH = 128;

/** The pretrained folder (or a checkpoint's), with the head sized for `labels`. */
export async function loadBertModel(context: TrainerContext, reference: string, labels: readonly string[]): Promise<LoadedBertClassifier> {
  try {
    return await loadBertClassifier(reference, { baseDir: context.loaded.folder, labels, seed: context.config.seed });
  } catch (error) {
    throw new RunError(error instanceof Error ? error.message : String(error), ['model', 'pretrained']);
  }
}

/** A BERT classifier as the trainer sees it; `source` is the folder its tokenizer files are copied from. */
export function bertClassifierModel(model: BertForSequenceClassification, source: HuggingfaceFolderFiles): ClassifierModel {
  const specs = bertParameterSpecs(model.config);
  const groups = new Map<string, string[]>();
  for (const spec of specs) groups.set(spec.group, [...(groups.get(spec.group) ?? []), spec.name]);
  return {
    variables: model.variables,
    groups,
    frozenFeatures: {
      size: model.config.hiddenSize,
      description: 'the encoder is frozen, so its [CLS] features',
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
  const notices: Notice[] = [];
  let loaded = await loadBertModel(context, pretrained, labels);
  for (const notice of loaded.notices) notices.push({ level: 'info', message: notice });
  const dropout = config.model?.dropout;
  if (dropout !== undefined && dropout !== loaded.config.classifierDropout) {
    // The head's dropout is part of the model's config: rebuild with it (the weights are copied).
    const modelConfig = { ...loaded.config, classifierDropout: dropout };
    const rebuilt = BertForSequenceClassification.fromCheckpoint(modelConfig, loaded.model.exportHuggingfaceState()).model;
    loaded.model.dispose();
    loaded = { ...loaded, config: modelConfig, model: rebuilt };
  }

  const wanted = config.data.max_length ?? DEFAULT_MAX_LENGTH;
  const maxLength = Math.min(wanted, loaded.config.maxPositionEmbeddings);
  if (maxLength < wanted) notices.push({ level: 'info', message: `data.max_length ${wanted} is more than the model's max_position_embeddings; texts are truncated to ${maxLength} tokens.` });
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
    initial: async () => bertClassifierModel((await loadBertModel(context, pretrained, labels)).model, source),
    load: async (dir) => bertClassifierModel((await loadBertModel(context, dir, labels)).model, source),
    now: () => context.now(),
  });
  return {
    training,
    train,
    validation,
    maxLength,
    description: `BERT with ${loaded.config.numHiddenLayers} layers, hidden size ${loaded.config.hiddenSize}, from ${source.folder}`,
    notices,
  };
}
