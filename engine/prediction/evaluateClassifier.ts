// A trained classifier scored on a labelled file: accuracy, macro-F1, mean loss, per-class metrics and
// the confusion matrix (multi-label models: exact-match accuracy, micro- and macro-F1, per-label metrics), read with the trainer's readers (bad lines skipped, each with its file:line).
import * as path from 'node:path';
import type { ClassifierEvaluateParams, ClassifierEvaluation } from '../../common/protocol/engine';
import { BadLineLog } from '../data/badLines';
import { DataError } from '../data/dataError';
import { readLabelledRows, type LabelledRow } from '../data/labelledRows';
import type { TextClassifier } from '../models/textClassifier';
import { addToConfusionMatrix, emptyConfusionMatrix, metricsFromConfusionMatrix } from '../training/classificationMetrics';
import { multiLabelMetrics } from '../training/multiLabelMetrics';
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
  const { decision, labels } = classifier;
  const classes = labels.length;
  const ids = new Map(labels.map((label, id) => [label, id]));
  const badLines = new BadLineLog('skip');
  const matrix = emptyConfusionMatrix(classes);
  // Multi-label: every probability and target, scored at the end (the file's examples × labels).
  const probabilities: number[] = [];
  const targets: number[] = [];
  let lossSum = 0;
  let count = 0;
  let chunk: { row: LabelledRow; labelIds: number[] }[] = [];
  const score = async (): Promise<void> => {
    const predicted = await classifier.predict(chunk.map(({ row }) => row.text));
    predicted.forEach((row, i) => {
      const truth = chunk[i]!.labelIds;
      if (decision.multiLabel) {
        for (let l = 0; l < classes; l++) {
          const present = truth.includes(l);
          probabilities.push(row[l]!);
          targets.push(present ? 1 : 0);
          lossSum -= Math.log(Math.max(present ? row[l]! : 1 - row[l]!, SMALLEST_PROBABILITY)) / classes;
        }
      } else {
        addToConfusionMatrix(matrix, truth, [argMax(row)]);
        lossSum -= Math.log(Math.max(row[truth[0]!]!, SMALLEST_PROBABILITY));
      }
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
      ...(decision.multiLabel ? { labelSeparator: params.labelSeparator ?? '|' } : {}),
    },
    badLines,
  );
  for await (const row of rows) {
    const labelIds = row.labels.map((label) => {
      const labelId = ids.get(label);
      if (labelId === undefined) throw new DataError(`label "${label}" is not a class of the model (its classes: ${labels.join(', ')})`, { file: row.file, line: row.line });
      return labelId;
    });
    chunk.push({ row, labelIds });
    if (chunk.length >= CHUNK) await score();
  }
  if (chunk.length > 0) await score();
  if (count === 0) throw new DataError(`no labelled examples${badLines.count > 0 ? ` (${badLines.count} bad lines skipped)` : ''}`, { file: dataPath });
  const metrics = decision.multiLabel ? multiLabelMetrics(probabilities, targets, classes, decision.threshold, labels) : metricsFromConfusionMatrix(matrix, labels);
  return {
    modelPath: classifier.folder,
    dataPath,
    modelType: classifier.modelType,
    labels: [...labels],
    count,
    accuracy: metrics.accuracy,
    macroF1: metrics.macroF1,
    microF1: metrics.microF1,
    loss: lossSum / count,
    perClass: metrics.perClass.map((entry) => ({
      label: entry.label ?? String(entry.id),
      precision: entry.precision,
      recall: entry.recall,
      f1: entry.f1,
      support: entry.support,
    })),
    ...('confusionMatrix' in metrics ? { confusionMatrix: metrics.confusionMatrix } : { threshold: metrics.threshold }),
    badLines: {
      count: badLines.count,
      lines: badLines.lines.map((bad) => ({ ...bad })),
    },
  };
}
