// Everything a text-classification run needs before its first step: labelled data, the pretrained
// BERT with a head for those labels, and the examples tokenised once.
import * as tf from '@tensorflow/tfjs';
import type { RunLog } from '../../../common/protocol/runEvents';
import { formatBadLine } from '../../data/badLines';
import { loadLabelledData, type LabelledData } from '../../data/labelledData';
import { tokenizeExamples, type TokenizedExamples } from '../../data/tokenizedExamples';
import { BertForSequenceClassification } from '../../models/bert';
import { loadBertClassifier, type LoadedBertClassifier } from '../../models/huggingfaceFolder';
import { RunError } from '../runError';
import type { TrainerContext } from '../trainerContext';

const DEFAULT_MAX_LENGTH = 128;
/** Bad lines logged one by one; the rest are counted. */
const BAD_LINES_LOGGED = 20;

export interface PreparedClassification {
  readonly data: LabelledData;
  readonly loaded: LoadedBertClassifier;
  readonly train: TokenizedExamples;
  readonly validation: TokenizedExamples | undefined;
  readonly maxLength: number;
  /** Told to the user once the run has started. */
  readonly notices: Omit<RunLog, 'kind'>[];
}

/** The pretrained folder (or a checkpoint's), with the head sized for `labels`. */
export async function loadModel(context: TrainerContext, reference: string, labels: readonly string[]): Promise<LoadedBertClassifier> {
  try {
    return await loadBertClassifier(reference, { baseDir: context.loaded.folder, labels, seed: context.config.seed });
  } catch (error) {
    throw new RunError(error instanceof Error ? error.message : String(error), ['model', 'pretrained']);
  }
}

export async function prepareClassification(context: TrainerContext): Promise<PreparedClassification> {
  const { config } = context;
  const modelType = config.model?.type ?? 'bert';
  if (modelType !== 'bert') {
    throw new RunError(`model.type: ${modelType} cannot be trained by this version of the engine yet; use model.type: bert with a pretrained folder`, ['model', 'type']);
  }
  const pretrained = config.model?.pretrained;
  if (pretrained === undefined) throw new RunError('model.pretrained is required for a bert classifier: a local folder in Hugging Face layout', ['model']);

  const notices: Omit<RunLog, 'kind'>[] = [];
  let logged = 0;
  // A DataError's message starts with file:line, and the run's failure points there (see runTraining).
  const data: LabelledData = await loadLabelledData({
    data: config.data,
    seed: config.seed,
    onBadLine: (bad) => {
      if (logged++ < BAD_LINES_LOGGED) {
        notices.push({ level: 'warning', message: `skipped ${formatBadLine(bad)}`, location: { file: bad.file, line: bad.line } });
      }
    },
  });
  if (data.badLines.count > BAD_LINES_LOGGED) notices.push({ level: 'warning', message: `${data.badLines.count} bad lines skipped in all (the first ${BAD_LINES_LOGGED} are listed above).` });
  if (data.validation.length === 0) notices.push({ level: 'warning', message: 'No validation data (data.validation or data.validation_split): no validation metrics, no early stopping, and the last epoch is the model written.' });

  let loaded = await loadModel(context, pretrained, data.labels.names);
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
  const train = tokenizeExamples(data.train, loaded.tokenizer, { maxLength });
  const validation = data.validation.length > 0 ? tokenizeExamples(data.validation, loaded.tokenizer, { maxLength }) : undefined;
  await tf.ready();
  return { data, loaded, train, validation, maxLength, notices };
}
