// A trained classifier scored on a labelled file: accuracy, macro-F1, mean loss, per-class metrics and
// the confusion matrix (multi-label models: exact-match accuracy, micro- and macro-F1, per-label metrics),
// read with the trainer's readers (bad lines skipped, each with its file:line) and scored from the
// model's logits by training/classifierScores.ts, exactly as a run's validation is.
import * as path from 'node:path';
import type { ClassifierEvaluateParams, ClassifierEvaluation } from '../../common/protocol/engine';
import { BadLineLog } from '../data/badLines';
import { DataError } from '../data/dataError';
import { readLabelledRows, type LabelledRow } from '../data/labelledRows';
import type { TextClassifier } from '../models/textClassifier';
import { scoreLogits } from '../training/classifierScores';

/** Texts sent to the model at once: a large file is never tokenised whole, only its logits kept (a few numbers an example). */
const CHUNK = 256;

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
  // The logits and true labels of every example (a few floats each), scored at the end as validation is.
  const logits: number[] = [];
  const trueIds: number[] = [];
  const targets: number[] = [];
  let chunk: { row: LabelledRow; labelIds: number[] }[] = [];
  const score = async (): Promise<void> => {
    for (const row of await classifier.logits(chunk.map(({ row }) => row.text))) logits.push(...row);
    for (const { labelIds } of chunk) {
      trueIds.push(labelIds[0] ?? 0);
      if (decision.multiLabel) for (let l = 0; l < classes; l++) targets.push(labelIds.includes(l) ? 1 : 0);
    }
    chunk = [];
    options.onProgress?.(trueIds.length);
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
  const count = trueIds.length;
  if (count === 0) throw new DataError(`no labelled examples${badLines.count > 0 ? ` (${badLines.count} bad lines skipped)` : ''}`, { file: dataPath });
  const { loss, metrics } = scoreLogits(Float32Array.from(logits), { count, labels: trueIds, ...(decision.multiLabel ? { targets } : {}) }, labels, decision);
  return {
    modelPath: classifier.folder,
    dataPath,
    modelType: classifier.modelType,
    labels: [...labels],
    count,
    accuracy: metrics.accuracy,
    macroF1: metrics.macroF1,
    microF1: metrics.microF1,
    loss,
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
