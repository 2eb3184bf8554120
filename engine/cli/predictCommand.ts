// `nlp-studio predict <model-dir> [text…] [--file F]`: one JSON line per text. A classifier gives the
// predicted label (a multi-label model: also every label over its threshold) and every class's
// probability; a folder transformers.js runs (config.json, tokenizer files, onnx/*.onnx) answers with
// its pipeline's task, read from config.json or given by --task.
// Texts come from the arguments, then the lines of F (`-` is stdin); with neither, from the lines of stdin.
import { createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { isPipelineFolder, ONNX_DTYPE_FILES, PIPELINE_TASKS, pipelineTasksOf, type PipelineTask } from '../../common/huggingface/pipelineTasks';
import { readJsonObject } from '../models/modelTokenizer';
import { loadTextClassifier } from '../models/textClassifier';
import { SINGLE_LABEL, type Decision } from '../models/decision';
import { loadPipeline } from '../pipelines/transformersPipelines';
import { argMax, labelsOver } from '../prediction/predictions';
import type { CliIo } from './io';

const USAGE = 'usage: nlp-studio predict <model-dir> [text…] [--file F] [--task T] [--labels a,b,…] [--top-k N]\n';
/** Texts per forward pass when reading a file; stdin from a terminal is answered line by line. */
const CHUNK = 64;

/** One line of `predict`'s output for a classifier. */
export interface PredictLine {
  text: string;
  /** The most probable class. */
  label: string;
  /** Multi-label models: every label whose probability reaches the model's threshold. */
  labels?: string[];
  probabilities: Record<string, number>;
}

export interface PredictArgs {
  values: { file?: string; task?: string; labels?: string; 'top-k'?: string };
  positionals: string[];
}

/** Answers texts with one JSON-able object each; `runtime` says what computed them. */
interface Predictor {
  readonly description: string;
  answer(texts: string[]): Promise<object[]>;
  dispose(): void;
}

class UsageError extends Error {}

/** `predict` on its parsed arguments; exit codes: 0 predicted, 1 unusable model or input, 2 usage. */
export async function predictCommand({ values, positionals }: PredictArgs, io: CliIo): Promise<number> {
  const [model, ...texts] = positionals;
  if (model === undefined) {
    io.stderr(`nlp-studio predict: give a model folder (a text-classification run folder, a Hugging Face folder, or a folder transformers.js runs)\n${USAGE}`);
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
  let predictor: Predictor;
  try {
    predictor = await predictorFor(resolve(io.cwd, model), values);
  } catch (error) {
    io.stderr(`nlp-studio predict: ${error instanceof Error ? error.message : String(error)}\n${error instanceof UsageError ? USAGE : ''}`);
    return error instanceof UsageError ? 2 : 1;
  }
  io.stderr(`nlp-studio predict: ${predictor.description}\n`);
  try {
    const print = async (batch: string[]): Promise<void> => {
      if (batch.length === 0) return;
      const answers = await predictor.answer(batch);
      io.stdout(answers.map((answer) => `${JSON.stringify(answer)}\n`).join(''));
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
    predictor.dispose();
  }
  return 0;
}

/** The folder's pipeline task when it answers as one (--task, else what config.json says), else undefined: a classifier. */
async function pipelineTaskOf(folder: string, given: string | undefined): Promise<PipelineTask | undefined> {
  if (given !== undefined) {
    if (!(PIPELINE_TASKS as readonly string[]).includes(given)) throw new UsageError(`--task ${given} is not a pipeline task; tasks: ${PIPELINE_TASKS.join(', ')}`);
    return given as PipelineTask;
  }
  const config = await readJsonObject(join(folder, 'config.json')).catch(() => undefined);
  if (config === undefined) return undefined;
  const present = new Set<string>();
  for (const name of ['model.safetensors', 'pytorch_model.bin', ...ONNX_DTYPE_FILES.map(({ file: graph }) => graph)]) {
    if (await access(join(folder, name)).then(() => true, () => false)) present.add(name);
  }
  return isPipelineFolder(config, (name) => present.has(name)) ? pipelineTasksOf(config)[0] : undefined;
}

async function predictorFor(folder: string, values: PredictArgs['values']): Promise<Predictor> {
  const task = await pipelineTaskOf(folder, values.task);
  if (task === undefined) {
    const classifier = await loadTextClassifier(folder);
    return {
      description: `${classifier.modelType} classifier on ${classifier.runtime}`,
      answer: async (texts) => {
        const probabilities = await classifier.predict(texts);
        return texts.map((text, i) => predictLine(classifier.labels, text, probabilities[i]!, classifier.decision));
      },
      dispose: () => classifier.dispose(),
    };
  }
  const candidateLabels = values.labels?.split(',').map((label) => label.trim()).filter((label) => label !== '');
  if (task === 'zero-shot-classification' && (candidateLabels === undefined || candidateLabels.length === 0)) throw new UsageError('a zero-shot classifier needs --labels a,b,… to score the texts against');
  const topK = values['top-k'] === undefined ? undefined : Number(values['top-k']);
  if (topK !== undefined && !(Number.isInteger(topK) && topK > 0)) throw new UsageError(`--top-k must be a positive integer, got ${values['top-k']}`);
  const pipeline = await loadPipeline(folder, task);
  return {
    description: `${task} pipeline (${pipeline.modelType}) on ${pipeline.runtime}`,
    answer: async (texts) => (await pipeline.run(texts, { ...(candidateLabels ? { candidateLabels } : {}), ...(topK ? { topK } : {}) })).map((output, i) => ({ text: texts[i], ...output })),
    dispose: () => pipeline.dispose(),
  };
}

export function predictLine(labels: readonly string[], text: string, probabilities: Float32Array, decision: Decision = SINGLE_LABEL): PredictLine {
  return {
    text,
    label: labels[argMax(probabilities)]!,
    ...(decision.multiLabel ? { labels: labelsOver(labels, probabilities, decision.threshold) } : {}),
    probabilities: Object.fromEntries(labels.map((label, i) => [label, probabilities[i]!])),
  };
}
