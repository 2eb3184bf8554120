// A trained classifier scored on a labelled file: accuracy, macro-F1, mean loss, per-class metrics and
// the confusion matrix, read with the trainer's readers (bad lines skipped, each with its file:line).
import * as path from 'node:path';
import type { ClassifierEvaluateParams, ClassifierEvaluation } from '../../common/protocol/engine';
import { BadLineLog } from '../data/badLines';
import { DataError } from '../data/dataError';
import { readLabelledRows, type LabelledRow } from '../data/labelledRows';
import type { TextClassifier } from '../models/textClassifier';
import { addToConfusionMatrix, emptyConfusionMatrix, metricsFromConfusionMatrix } from '../training/classificationMetrics';
import { argMax } from './predictions';

/** Texts sent to the model at once: memory stays flat on large files. */
const CHUNK = 256;
/** The smallest positive float32: a probability that underflowed to 0 still gives a finite loss. */
const SMALLEST_PROBABILITY = 1.4e-45;

export interface EvaluateOptions {
  /** Resolves a relative `dataPath` (the CLI's working folder). */
  readonly baseDir?: string;
  /** Called after each chunk with the examples scored so far. */
  readonly onProgress?: (scored: number) => void;
}

export async function evaluateTextClassifier(classifier: TextClassifier, params: ClassifierEvaluateParams, options: EvaluateOptions = {}): Promise<ClassifierEvaluation> {
  const dataPath = path.resolve(options.baseDir ?? process.cwd(), params.dataPath);
  const ids = new Map(classifier.labels.map((label, id) => [label, id]));
  const badLines = new BadLineLog('skip');
  const matrix = emptyConfusionMatrix(classifier.labels.length);
  let lossSum = 0;
  let count = 0;
  let chunk: { row: LabelledRow; labelId: number }[] = [];
  const score = async (): Promise<void> => {
    const probabilities = await classifier.predict(chunk.map(({ row }) => row.text));
    const truth = chunk.map(({ labelId }) => labelId);
    addToConfusionMatrix(matrix, truth, probabilities.map(argMax));
    probabilities.forEach((row, i) => {
      lossSum -= Math.log(Math.max(row[truth[i]!]!, SMALLEST_PROBABILITY));
    });
    count += chunk.length;
    chunk = [];
    options.onProgress?.(count);
  };
  const rows = readLabelledRows(
    dataPath,
    {
      ...(params.format ? { format: params.format } : {}),
      textColumn: params.textColumn ?? 'text',
      labelColumn: params.labelColumn ?? 'label',
    },
    badLines,
  );
  for await (const row of rows) {
    const labelId = ids.get(row.label);
    if (labelId === undefined) {
      throw new DataError(`label "${row.label}" is not a class of the model (its classes: ${classifier.labels.join(', ')})`, { file: row.file, line: row.line });
    }
    chunk.push({ row, labelId });
    if (chunk.length >= CHUNK) await score();
  }
  if (chunk.length > 0) await score();
  if (count === 0) throw new DataError(`no labelled examples${badLines.count > 0 ? ` (${badLines.count} bad lines skipped)` : ''}`, { file: dataPath });
  const metrics = metricsFromConfusionMatrix(matrix, classifier.labels);
  return {
    modelPath: classifier.folder,
    dataPath,
    modelType: classifier.modelType,
    labels: [...classifier.labels],
    count,
    accuracy: metrics.accuracy,
    macroF1: metrics.macroF1,
    loss: lossSum / count,
    perClass: metrics.perClass.map((entry) => ({
      label: entry.label ?? String(entry.id),
      precision: entry.precision,
      recall: entry.recall,
      f1: entry.f1,
      support: entry.support,
    })),
    confusionMatrix: metrics.confusionMatrix,
    badLines: {
      count: badLines.count,
      lines: badLines.lines.map((bad) => ({ ...bad })),
    },
  };
}
