// `nlp-studio predict <model-dir> [text…] [--file F]`: one JSON line per text, with the predicted
// label (a multi-label model: also every label over its threshold) and every class's probability. Texts come from the arguments, then the lines of F (`-` is
// stdin); with neither, from the lines of stdin.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadTextClassifier, type TextClassifier } from '../models/textClassifier';
import { SINGLE_LABEL, type Decision } from '../models/decision';
import { argMax, labelsOver } from '../prediction/predictions';
import type { CliIo } from './io';

const USAGE = 'usage: nlp-studio predict <model-dir> [text…] [--file F]\n';
/** Texts per forward pass when reading a file; stdin from a terminal is answered line by line. */
const CHUNK = 64;

/** One line of `predict`'s output. */
export interface PredictLine {
  text: string;
  /** The most probable class. */
  label: string;
  /** Multi-label models: every label whose probability reaches the model's threshold. */
  labels?: string[];
  probabilities: Record<string, number>;
}

export interface PredictArgs {
  values: { file?: string };
  positionals: string[];
}

/** `predict` on its parsed arguments; exit codes: 0 predicted, 1 unusable model or input, 2 usage. */
export async function predictCommand({ values, positionals }: PredictArgs, io: CliIo): Promise<number> {
  const [model, ...texts] = positionals;
  if (model === undefined) {
    io.stderr(`nlp-studio predict: give a model folder (a text-classification run folder or a Hugging Face folder)\n${USAGE}`);
    return 2;
  }
  const file = values.file === undefined || values.file === '-' ? undefined : resolve(io.cwd, values.file);
  if (
    file !== undefined &&
    !(await stat(file).then(
      (info) => info.isFile(),
      () => false,
    ))
  ) {
    io.stderr(`nlp-studio predict: --file not found: ${values.file}\n`);
    return 2;
  }
  let classifier: TextClassifier;
  try {
    classifier = await loadTextClassifier(resolve(io.cwd, model));
  } catch (error) {
    io.stderr(`nlp-studio predict: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    const print = async (batch: string[]): Promise<void> => {
      if (batch.length === 0) return;
      const probabilities = await classifier.predict(batch);
      io.stdout(batch.map((text, i) => `${JSON.stringify(predictLine(classifier.labels, text, probabilities[i]!, classifier.decision))}\n`).join(''));
    };
    await print(texts);
    const stdin = io.stdin ?? process.stdin;
    const source = file !== undefined ? createReadStream(file, { encoding: 'utf8' }) : values.file === '-' || texts.length === 0 ? stdin : undefined;
    if (source !== undefined) {
      const interactive = source === process.stdin && process.stdin.isTTY;
      let batch: string[] = [];
      for await (const line of createInterface({
        input: source,
        crlfDelay: Infinity,
      })) {
        if (line.trim() === '') continue;
        batch.push(line);
        if (interactive || batch.length >= CHUNK) {
          await print(batch);
          batch = [];
        }
      }
      await print(batch);
    }
  } catch (error) {
    io.stderr(`nlp-studio predict: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    classifier.dispose();
  }
  return 0;
}

export function predictLine(labels: readonly string[], text: string, probabilities: Float32Array, decision: Decision = SINGLE_LABEL): PredictLine {
  return {
    text,
    label: labels[argMax(probabilities)]!,
    ...(decision.multiLabel ? { labels: labelsOver(labels, probabilities, decision.threshold) } : {}),
    probabilities: Object.fromEntries(labels.map((label, i) => [label, probabilities[i]!])),
  };
}
