// `nlp-studio eval <model-dir> <data-file> [--json]`: a text classifier scored on a labelled file,
// with the metrics the training panel shows (accuracy, macro-F1, loss, per class, confusion matrix).
import { resolve } from 'node:path';
import type { ClassifierEvaluation } from '../../common/protocol/engine';
import { formatBadLine } from '../data/badLines';
import { loadTextClassifier, type TextClassifier } from '../models/textClassifier';
import { evaluateTextClassifier } from '../prediction/evaluateClassifier';
import type { CliIo } from './io';

export interface ClassifierEvalOptions {
  json?: boolean;
  textColumn?: string;
  labelColumn?: string;
  format?: string;
}

const FORMATS = ['csv', 'tsv', 'jsonl'] as const;
type LabelledFormat = (typeof FORMATS)[number];

/** Exit codes: 0 scored, 1 unusable model or data, 2 usage. */
export async function classifierEvalCommand(modelDir: string, dataFile: string, options: ClassifierEvalOptions, io: CliIo): Promise<number> {
  if (options.format !== undefined && !(FORMATS as readonly string[]).includes(options.format)) {
    io.stderr(`nlp-studio eval: --format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(options.format)}\n`);
    return 2;
  }
  let classifier: TextClassifier | undefined;
  let evaluation: ClassifierEvaluation;
  try {
    classifier = await loadTextClassifier(resolve(io.cwd, modelDir));
    evaluation = await evaluateTextClassifier(
      classifier,
      {
        modelPath: classifier.folder,
        dataPath: dataFile,
        ...(options.textColumn === undefined ? {} : { textColumn: options.textColumn }),
        ...(options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn }),
        ...(options.format === undefined ? {} : { format: options.format as LabelledFormat }),
      },
      { baseDir: io.cwd },
    );
  } catch (error) {
    io.stderr(`nlp-studio eval: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    classifier?.dispose();
  }
  io.stdout(options.json ? `${JSON.stringify(evaluation)}\n` : formatEvaluation(evaluation));
  for (const bad of options.json ? [] : evaluation.badLines.lines) io.stderr(`skipped ${formatBadLine(bad)}\n`);
  return 0;
}

/** The report as text: headline metrics, a per-class table and the confusion matrix. */
export function formatEvaluation(evaluation: ClassifierEvaluation): string {
  const { labels, perClass, confusionMatrix } = evaluation;
  const fixed = (value: number): string => value.toFixed(4);
  const table = (rows: string[][]): string[] => {
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    return rows.map((row) => `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`.trimEnd());
  };
  const skipped = evaluation.badLines.count > 0 ? `; ${evaluation.badLines.count} bad line${evaluation.badLines.count === 1 ? '' : 's'} skipped` : '';
  const matrix = confusionMatrix
    ? ['confusion matrix (rows: true class, columns: predicted):', ...table([['', ...labels], ...labels.map((label, row) => [label, ...confusionMatrix[row]!.map(String)])]), '']
    : [];
  const headline =
    evaluation.threshold === undefined
      ? `accuracy ${fixed(evaluation.accuracy)}  macro-F1 ${fixed(evaluation.macroF1)}  loss ${fixed(evaluation.loss)}`
      : `micro-F1 ${fixed(evaluation.microF1)}  macro-F1 ${fixed(evaluation.macroF1)}  exact-match accuracy ${fixed(evaluation.accuracy)}  loss ${fixed(evaluation.loss)}  (multi-label, threshold ${evaluation.threshold})`;
  return [
    `${evaluation.modelPath} (${evaluation.modelType}) on ${evaluation.dataPath}: ${evaluation.count} examples${skipped}`,
    headline,
    '',
    ...table([
      [evaluation.threshold === undefined ? 'class' : 'label', 'precision', 'recall', 'f1', 'support'],
      ...perClass.map((entry) => [entry.label, fixed(entry.precision), fixed(entry.recall), fixed(entry.f1), String(entry.support)]),
    ]),
    '',
    ...matrix,
  ].join('\n');
}