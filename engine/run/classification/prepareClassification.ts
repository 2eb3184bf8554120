// Everything a text-classification run needs before its first step: the labelled data, and the model
// of `model.type` with the examples tokenised for it once. Adding a model type adds a row to MODEL_TYPES.
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../../common/schema/config.generated';
import { caseCollisionMessage, labelsDifferingOnlyInCase, warnsAboutCaseCollision } from '../../../common/data/labels';
import { formatBadLine } from '../../data/badLines';
import { loadLabelledData, type LabelledData } from '../../data/labelledData';
import { RunError } from '../runError';
import type { TrainerContext } from '../trainerContext';
import { prepareBert } from './bertClassifier';
import type { Notice, PrepareModel, PreparedModel } from './classifierModel';
import { prepareEmbeddingClassifier } from './embeddingClassifier';
import { sectionOf } from '../../config/resolvedConfig';

/** Bad lines logged one by one; the rest are counted. */
const BAD_LINES_LOGGED = 20;

export const MODEL_TYPES: Record<NonNullable<Model['type']>, PrepareModel> = {
  bert: prepareBert,
  'embedding-classifier': prepareEmbeddingClassifier,
};

export interface PreparedClassification extends PreparedModel {
  readonly data: LabelledData;
}

export async function prepareClassification(context: TrainerContext): Promise<PreparedClassification> {
  const { config } = context;
  const modelType = sectionOf(config, 'model').type;
  const prepareModel = (MODEL_TYPES as Partial<Record<string, PrepareModel>>)[modelType];
  if (prepareModel === undefined) throw new RunError(`model.type: ${modelType} cannot be trained by this version of the engine; use one of ${Object.keys(MODEL_TYPES).join(', ')}`, ['model', 'type']);

  const notices: Notice[] = [];
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
  // the config's diagnostics (already logged) say this for the labels its check read; the rest are new
  for (const pair of labelsDifferingOnlyInCase(data.labels.names)) {
    if (!context.loaded.notes.some((note) => warnsAboutCaseCollision(note.message, pair))) notices.push({ level: 'warning', message: caseCollisionMessage(pair) });
  }
  if (data.badLines.count > BAD_LINES_LOGGED) notices.push({ level: 'warning', message: `${data.badLines.count} bad lines skipped in all (the first ${BAD_LINES_LOGGED} are listed above).` });
  if (data.validation.length === 0) notices.push({ level: 'warning', message: 'No validation data (data.validation or data.validation_split): no validation metrics, no early stopping, and the last epoch is the model written.' });

  const prepared = await prepareModel(context, data);
  await tf.ready();
  return { ...prepared, data, notices: [...notices, ...prepared.notices] };
}
